// Meetings pages: add formset rows (agenda, decisions, walk-ins) and filter long checkbox lists.
// No inline scripts anywhere: the Content-Security-Policy forbids them.
(() => {
  // <button data-add-row="agenda"> appends <template id="agenda-empty-row"> to #agenda-rows,
  // numbering it with the formset's TOTAL_FORMS.
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("[data-add-row]");
    if (!button) return;
    const prefix = button.dataset.addRow;
    const total = document.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
    const template = document.getElementById(`${prefix}-empty-row`);
    const rows = document.getElementById(`${prefix}-rows`);
    if (!total || !template || !rows) return;
    const max = document.querySelector(`input[name="${prefix}-MAX_NUM_FORMS"]`);
    const index = parseInt(total.value, 10);
    if (max && index >= parseInt(max.value, 10)) return;
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const first = rows.lastElementChild && rows.lastElementChild.querySelector("input, textarea");
    if (first) first.focus();
  });

  // <input data-filter-list="box-id"> hides the [data-filter-item] rows of #box-id that do not
  // contain the typed text (ticked rows always stay visible).
  document.addEventListener("input", (event) => {
    const boxId = event.target.dataset && event.target.dataset.filterList;
    if (!boxId) return;
    const needle = event.target.value.trim().toLowerCase();
    document.querySelectorAll(`#${boxId} [data-filter-item]`).forEach((item) => {
      const ticked = item.querySelector("input:checked");
      const match = !needle || item.textContent.toLowerCase().includes(needle);
      item.classList.toggle("d-none", !(match || ticked));
    });
  });

  // Action item form on the meeting page: show the completion note only when closing as done.
  document.addEventListener("change", (event) => {
    const select = event.target;
    if (!select.matches || !select.matches("[data-completion-toggle]")) return;
    const target = document.getElementById(select.dataset.completionToggle);
    if (target) target.classList.toggle("d-none", select.value === "open");
  });
})();
