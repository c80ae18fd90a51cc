// Irreversible steps ask first: a form with data-confirm opens a dialog; on
// "yes" the form is sent with its confirmation token. Without this script
// the server shows a confirmation page instead (konsey/confirm.py).
(function () {
  "use strict";
  var template = document.getElementById("confirm-dialog");
  if (!template || typeof HTMLDialogElement === "undefined") return;

  function ask(form, submitter) {
    var dialog = template.content.firstElementChild.cloneNode(true);
    dialog.querySelector("[data-question]").textContent = form.getAttribute("data-confirm");
    var yes = dialog.querySelector("[data-yes]");
    if (submitter && submitter.textContent.trim()) yes.textContent = submitter.textContent.trim();
    document.body.appendChild(dialog);
    dialog.addEventListener("close", function () {
      if (dialog.returnValue === "yes") {
        var field = document.createElement("input");
        field.type = "hidden";
        field.name = "confirm";
        field.value = form.getAttribute("data-confirm-token");
        form.appendChild(field);
        if (submitter && submitter.name) {
          var pressed = document.createElement("input");
          pressed.type = "hidden";
          pressed.name = submitter.name;
          pressed.value = submitter.value;
          form.appendChild(pressed);
        }
        form.submit();
      }
      dialog.remove();
    });
    dialog.showModal();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) return;
    if (form.querySelector("input[name=confirm]")) return;
    event.preventDefault();
    ask(form, event.submitter);
  });
})();
