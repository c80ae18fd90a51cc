/* Konsey: the header's language switch applies on choice. Loaded with defer
   (no inline script: the CSP allows scripts from 'self' only).

   Without this script the switch is a form with a select and a "Change
   language" button. With it the button is hidden (class lang-switch-auto),
   the select says that choosing reloads the page (its hidden hint), and a
   change of the select sends the form: the same POST /language, so the server
   keeps one way to change the language. */
(function () {
  "use strict";

  function enhance(form) {
    var select = form.querySelector("select[name=lang]");
    if (!select || form.hasAttribute("data-lang-auto")) return;
    form.setAttribute("data-lang-auto", "");
    form.classList.add("lang-switch-auto");
    var hint = form.querySelector("[data-lang-hint]");
    if (hint && hint.id) select.setAttribute("aria-describedby", hint.id);
    var initial = select.value;
    select.addEventListener("change", function () {
      if (select.value === initial) return;
      if (form.requestSubmit) form.requestSubmit();
      else form.submit();
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("form.lang-switch"), enhance);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
