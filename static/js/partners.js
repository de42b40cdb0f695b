// Referral form: show only the partners that offer the chosen service.
// Each partner <option> carries data-services="<service ids>" (see partners.forms.PartnerSelect).
(function () {
  const service = document.querySelector("[data-service-select]");
  const partner = document.querySelector("[data-partner-select]");
  if (!service || !partner) {
    return;
  }
  const none = document.getElementById("partner-none");

  function filterPartners() {
    const chosen = service.value;
    let visible = 0;
    partner.querySelectorAll("option").forEach((option) => {
      if (!option.value) {
        return; // the empty choice stays
      }
      const offers = (option.dataset.services || "").split(" ");
      const show = !chosen || offers.includes(chosen);
      option.hidden = !show;
      option.disabled = !show;
      if (show) {
        visible += 1;
      } else if (option.selected) {
        partner.value = "";
      }
    });
    if (none) {
      none.classList.toggle("d-none", !chosen || visible > 0);
    }
  }

  service.addEventListener("change", filterPartners);
  filterPartners();
})();
