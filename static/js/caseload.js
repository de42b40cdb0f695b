// Caseload list: show how many rows are ticked and keep the bulk "Move" button disabled
// until at least one is. (Select-all on the page comes from app.js: data-check-all.)
// The elements are looked up on each change: a search swaps the list in through htmx.
(() => {
  const update = () => {
    const form = document.getElementById("bulk-form");
    const button = document.getElementById("bulk-submit");
    if (!form || !button) return;
    const counter = document.getElementById("bulk-count");
    const ticked = form.querySelectorAll('input[name="orders"]:checked').length;
    button.disabled = ticked === 0;
    if (counter) counter.textContent = ticked ? String(ticked) : "";
  };
  // On document, after app.js has ticked the boxes for a select-all.
  document.addEventListener("change", update);
  document.body.addEventListener("htmx:afterSettle", update);
  update();
})();
