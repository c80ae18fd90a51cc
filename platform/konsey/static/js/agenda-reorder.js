// Reordering an agenda by drag and drop, or from the keyboard: the handle
// takes the focus and Alt+Arrow Up / Alt+Arrow Down move its item. The new
// order is posted to the agenda's order endpoint (data-reorder-url) and the
// agenda is then read again from the page, so its numbers and move buttons
// are the server's. Without this script the Move up / Move down buttons work
// as plain forms.
(function () {
  "use strict";

  var dragged = null;
  var startOrder = null;

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("data-hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function announce(text) {
    var live = document.getElementById("live-status");
    if (live) live.textContent = text;
  }

  function listOf(el) {
    return el && el.closest("ol.agenda[data-reorder-url]");
  }

  function order(list) {
    return Array.prototype.map.call(list.querySelectorAll(":scope > li[data-item-id]"), function (li) {
      return li.getAttribute("data-item-id");
    });
  }

  function init() {
    document.querySelectorAll("ol.agenda[data-reorder-url]").forEach(function (list) {
      list.querySelectorAll(".drag-handle").forEach(function (handle) { handle.hidden = false; });
      var hint = document.getElementById(list.getAttribute("data-reorder-hint"));
      if (hint) hint.hidden = false;
    });
  }

  // Read the agenda again from the page and put it in place of the old one.
  function refresh(list, focusId) {
    return fetch(window.location.pathname, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (text) {
        var fresh = new DOMParser().parseFromString(text, "text/html").getElementById("agenda-list");
        var current = document.getElementById("agenda-list");
        if (!fresh || !current) return;
        var notice = current.querySelector(".flash");
        if (notice) notice.remove();
        // The focus stays where the user is now: on the handle of the item they
        // went on to (they may move on while the agenda is read again), else on
        // the moved item's handle.
        var active = document.activeElement;
        var inList = Boolean(active && current.contains(active));
        var onHandle = inList && active.classList.contains("drag-handle");
        var lost = !active || active === document.body || inList;
        var keep = onHandle ? active.closest("li[data-item-id]").getAttribute("data-item-id") : focusId;
        current.replaceWith(document.importNode(fresh, true));
        init();
        if (keep && lost) {
          var handle = document.querySelector("#item-" + keep + " .drag-handle");
          if (handle) handle.focus();
        }
      });
  }

  function send(list, movedId, keyboard) {
    var body = new URLSearchParams();
    order(list).forEach(function (id) { body.append("items", id); });
    body.append("moved", movedId);
    return fetch(list.getAttribute("data-reorder-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" },
      body: body
    })
      .then(function (r) {
        return r.json().then(function (data) { return { ok: r.ok, data: data }; });
      })
      .then(function (answer) {
        announce(answer.ok ? answer.data.message : answer.data.error);
        return refresh(list, keyboard ? movedId : null);
      })
      .catch(function () { window.location.reload(); });
  }

  document.addEventListener("keydown", function (event) {
    var handle = event.target.closest && event.target.closest(".drag-handle");
    if (!handle || !event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
    var li = handle.closest("li[data-item-id]");
    var list = listOf(li);
    if (!list) return;
    event.preventDefault();
    var sibling = event.key === "ArrowUp" ? li.previousElementSibling : li.nextElementSibling;
    if (!sibling) {
      announce(li.getAttribute("data-cannot-move") || li.getAttribute("data-item-title"));
      return;
    }
    if (event.key === "ArrowUp") list.insertBefore(li, sibling);
    else list.insertBefore(sibling, li);
    handle.focus();
    send(list, li.getAttribute("data-item-id"), true);
  });

  // An item is draggable only while held by its handle, so its text can
  // still be selected and its links and buttons used as usual.
  document.addEventListener("pointerdown", function (event) {
    var handle = event.target.closest && event.target.closest(".drag-handle");
    var li = handle && handle.closest("li[data-item-id]");
    if (li && listOf(li)) li.setAttribute("draggable", "true");
  });

  document.addEventListener("pointerup", function () {
    if (dragged) return;
    document.querySelectorAll("li[data-item-id][draggable]").forEach(function (li) {
      li.removeAttribute("draggable");
    });
  });

  document.addEventListener("dragstart", function (event) {
    var li = event.target.closest && event.target.closest("li[data-item-id]");
    if (!li || !listOf(li)) return;
    dragged = li;
    startOrder = order(listOf(li)).join(",");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", li.getAttribute("data-item-id"));
    li.classList.add("dragging");
  });

  document.addEventListener("dragover", function (event) {
    if (!dragged) return;
    var over = event.target.closest && event.target.closest("li[data-item-id]");
    if (!over || over === dragged || listOf(over) !== listOf(dragged)) return;
    event.preventDefault();
    var box = over.getBoundingClientRect();
    var after = event.clientY > box.top + box.height / 2;
    listOf(over).insertBefore(dragged, after ? over.nextElementSibling : over);
  });

  document.addEventListener("drop", function (event) {
    if (dragged) event.preventDefault();
  });

  document.addEventListener("dragend", function () {
    if (!dragged) return;
    var li = dragged;
    var list = listOf(li);
    dragged = null;
    li.classList.remove("dragging");
    li.removeAttribute("draggable");
    if (list && order(list).join(",") !== startOrder) send(list, li.getAttribute("data-item-id"), false);
  });

  // htmx swaps the agenda in after a Move up / Move down: prepare it again.
  document.addEventListener("htmx:afterSettle", init);
  init();
})();
