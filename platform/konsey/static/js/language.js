/* Konsey: the header's language switch applies on choice. Loaded with defer
   (no inline script: the CSP allows scripts from 'self' only).

   Without this script the switch is a form with a select and a "Change
   language" button. With it the button is hidden (class lang-switch-auto),
   the select says that choosing reloads the page (its hidden hint), and a
   change of the select sends the form: the same POST /language, so the server
   keeps one way to change the language.

   Keyboard: the arrow keys on a closed select change its value (and fire
   "change") while a person is only looking through the list; that does not
   reload the page. Enter, or leaving the select, applies what is chosen. */
(function () {
  "use strict";

  function enhance(form) {
    var select = form.querySelector("select[name=lang]");
    if (!select || form.hasAttribute("data-lang-auto")) return;
    form.setAttribute("data-lang-auto", "");
    form.classList.add("lang-switch-auto");
    var hint = form.querySelector("[data-lang-hint]");
    if (hint && hint.id) select.setAttribute("aria-describedby", hint.id);
    var initial = select.value, browsing = false, sent = false;
    var BROWSE = /^(Arrow(Up|Down|Left|Right)|Home|End|Page(Up|Down)|[^ ])$/; // Space opens the list

    function send() {
      if (sent || select.value === initial) return;
      sent = true;
      if (form.requestSubmit) form.requestSubmit();
      else form.submit();
    }

    select.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        if (select.value !== initial) event.preventDefault();
        send();
        return;
      }
      // Alt+Down opens the list: a choice there is a choice, not browsing.
      browsing = !event.altKey && BROWSE.test(event.key);
    });
    select.addEventListener("pointerdown", function () {
      browsing = false;
    });
    select.addEventListener("change", function () {
      if (browsing) return; // Enter or leaving applies it
      send();
    });
    select.addEventListener("blur", send);
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("form.lang-switch"), enhance);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
