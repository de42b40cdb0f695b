// Reports pages: keep a generate button from being pressed twice while its form is sent.
// (Status updates need no script: htmx polls the status fragment through hx-* attributes.)
(function () {
  "use strict";
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.matches || !form.matches("form[data-once]")) {
      return;
    }
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    form.querySelectorAll("button[type=submit]").forEach((button) => {
      button.classList.add("disabled");
      button.setAttribute("aria-disabled", "true");
    });
  });
})();
