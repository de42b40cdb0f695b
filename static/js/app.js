// Site-wide behaviour. No inline scripts anywhere: the Content-Security-Policy forbids them.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target.matches && target.matches(".js-autosubmit")) {
    target.form.requestSubmit();
  }
});

document.addEventListener("click", (event) => {
  const target = event.target.closest && event.target.closest("[data-confirm]");
  if (target && !window.confirm(target.dataset.confirm)) {
    event.preventDefault();
  }
});

// Select-all checkboxes for bulk actions: <input data-check-all="name">.
document.addEventListener("change", (event) => {
  const name = event.target.dataset && event.target.dataset.checkAll;
  if (name) {
    document.querySelectorAll(`input[name="${name}"]`).forEach((box) => {
      box.checked = event.target.checked;
    });
  }
});
