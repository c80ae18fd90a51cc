/* Konsey: small layout helpers, loaded with defer (no inline script: the CSP
   allows scripts from 'self' only). Everything here is an enhancement: the
   pages work without it.

   1. Tables: below 600 px the stylesheet shows every table as one card per row.
      Each cell gets data-label = the text of its column's header (<th> of the
      table's header rows; colspan and rowspan counted), which the stylesheet
      shows before the cell. Explicit ARIA roles keep the table's semantics for
      screen readers that drop them when a table is not displayed as a table.
      Run again after every htmx swap.
   2. The header's menu (<details>): open from 900 px up (for browsers without
      ::details-content), closed when the window gets narrow; on a phone closed
      by Escape (the focus back on its button) or a click outside it.
*/
(function () {
  "use strict";

  var WIDE = window.matchMedia("(min-width: 56.25rem)");

  function text(cell) {
    return (cell.textContent || "").replace(/\s+/g, " ").trim();
  }

  function span(cell, name) {
    var n = parseInt(cell.getAttribute(name), 10);
    return n > 0 ? n : 1;
  }

  /* The column where each cell of these rows starts, counting the cells that
     earlier rows' rowspan carries down: [{cell, col, cols}]. */
  function layout(rows) {
    var taken = [], out = [];
    rows.forEach(function (row, r) {
      var col = 0;
      taken[r] = taken[r] || [];
      Array.prototype.forEach.call(row.cells, function (cell) {
        while (taken[r][col]) col++;
        var cols = span(cell, "colspan"), down = span(cell, "rowspan");
        for (var i = r; i < r + down && i < rows.length; i++) {
          taken[i] = taken[i] || [];
          for (var j = col; j < col + cols; j++) taken[i][j] = true;
        }
        out.push({ cell: cell, row: row, col: col, cols: cols });
        col += cols;
      });
    });
    return out;
  }

  /* The header rows: the <thead>'s, or else the first rows made only of <th>
     that are not row headers. */
  function headerRows(table) {
    if (table.tHead) return Array.prototype.slice.call(table.tHead.rows);
    var rows = [];
    for (var i = 0; i < table.rows.length; i++) {
      var cells = Array.prototype.slice.call(table.rows[i].cells);
      var allHeads = cells.length > 0 && cells.every(function (c) {
        return c.tagName === "TH" && c.getAttribute("scope") !== "row";
      });
      if (!allHeads) break;
      rows.push(table.rows[i]);
    }
    return rows;
  }

  function labelTable(table) {
    var heads = headerRows(table);
    if (!heads.length) return;
    var names = []; // per column: the header texts over it, top to bottom
    layout(heads).forEach(function (h) {
      var name = h.cell.getAttribute("data-label") || text(h.cell);
      for (var j = h.col; j < h.col + h.cols; j++) {
        names[j] = names[j] || [];
        if (name && names[j].indexOf(name) < 0) names[j].push(name);
      }
    });
    heads.forEach(function (row) {
      row.setAttribute("data-header-row", "");
    });
    var width = names.length;
    var groups = table.tHead ? Array.prototype.slice.call(table.tBodies) : [table];
    if (table.tFoot) groups.push(table.tFoot);
    groups.forEach(function (group) {
      var rows = Array.prototype.filter.call(group.rows, function (row) {
        return heads.indexOf(row) < 0 && row.parentNode.closest("table") === table;
      });
      layout(rows).forEach(function (c) {
        var cell = c.cell;
        if (cell.hasAttribute("data-label") && !cell.hasAttribute("data-label-auto")) return;
        var label = [];
        // A cell across the whole row (a "nothing yet" line) needs no label.
        if (!(c.cols >= width && c.row.cells.length === 1)) {
          for (var j = c.col; j < c.col + c.cols && j < width; j++) {
            (names[j] || []).forEach(function (n) {
              if (label.indexOf(n) < 0) label.push(n);
            });
          }
        }
        if (label.length) {
          cell.setAttribute("data-label", label.join(" · "));
          cell.setAttribute("data-label-auto", "");
        } else if (cell.hasAttribute("data-label-auto")) {
          cell.removeAttribute("data-label");
          cell.removeAttribute("data-label-auto");
        }
      });
    });
    table.setAttribute("data-labelled", "");
  }

  /* Roles a browser drops from a table shown as blocks. */
  function keepRoles(table) {
    if (table.hasAttribute("role")) return;
    table.setAttribute("role", "table");
    Array.prototype.forEach.call(table.querySelectorAll("thead, tbody, tfoot"), function (g) {
      if (g.closest("table") === table) g.setAttribute("role", "rowgroup");
    });
    Array.prototype.forEach.call(table.rows, function (row) {
      row.setAttribute("role", "row");
      Array.prototype.forEach.call(row.cells, function (cell) {
        if (cell.hasAttribute("role")) return;
        var scope = cell.getAttribute("scope");
        if (cell.tagName === "TD") cell.setAttribute("role", "cell");
        else if (scope === "row" || (scope !== "col" && row.querySelector(":scope > td")))
          cell.setAttribute("role", "rowheader");
        else cell.setAttribute("role", "columnheader");
      });
    });
  }

  function labelAll(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var tables = Array.prototype.slice.call(scope.querySelectorAll("table"));
    if (scope.tagName === "TABLE") tables.push(scope);
    var table = scope.closest ? scope.closest("table") : null;
    if (table) tables.push(table); // rows swapped into a table
    tables.forEach(function (t) {
      labelTable(t);
      keepRoles(t);
    });
  }

  function fitMenu() {
    Array.prototype.forEach.call(document.querySelectorAll("details.site-menu"), function (menu) {
      if (WIDE.matches) menu.setAttribute("open", "");
      else menu.removeAttribute("open");
    });
  }

  function start() {
    labelAll(document);
    fitMenu();
    if (WIDE.addEventListener) WIDE.addEventListener("change", fitMenu);
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || WIDE.matches) return;
      var menu = event.target.closest && event.target.closest("details.site-menu[open]");
      if (!menu) return;
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
    // On a phone the open menu lies over the page: a click or tap elsewhere closes it.
    document.addEventListener("click", function (event) {
      if (WIDE.matches) return;
      Array.prototype.forEach.call(document.querySelectorAll("details.site-menu[open]"), function (menu) {
        if (!menu.contains(event.target)) menu.removeAttribute("open");
      });
    });
    // htmx swaps (main and out-of-band): label the new tables and rows.
    ["htmx:afterSwap", "htmx:oobAfterSwap", "htmx:load"].forEach(function (name) {
      document.body.addEventListener(name, function (event) {
        labelAll(event.target && event.target.isConnected ? event.target : document);
        if (event.detail && event.detail.elt && event.detail.elt.isConnected) {
          labelAll(event.detail.elt);
        }
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
