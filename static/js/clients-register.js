// Client registration form: the address selects cascade (province → regency → district →
// village). Each select carries data-region-url and, except the last, data-region-child.
(function () {
  "use strict";

  function emptyOption(select) {
    const option = document.createElement("option");
    option.value = "";
    option.textContent = "---------";
    select.replaceChildren(option);
  }

  document.addEventListener("change", async (event) => {
    const select = event.target;
    if (!select.matches || !select.matches("select[data-region-child]")) {
      return;
    }
    const form = select.form;
    const child = form.elements[select.dataset.regionChild];
    if (!child) {
      return;
    }
    // Every level below the changed one is now stale.
    let below = child;
    while (below) {
      emptyOption(below);
      below = below.dataset.regionChild ? form.elements[below.dataset.regionChild] : null;
    }
    if (!select.value) {
      return;
    }
    const url = new URL(select.dataset.regionUrl, window.location.origin);
    url.searchParams.set("level", select.dataset.regionChild);
    url.searchParams.set("parent", select.value);
    child.disabled = true;
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (response.ok) {
        child.innerHTML = await response.text();
      }
    } finally {
      child.disabled = false;
    }
  });
})();
