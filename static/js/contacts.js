// Contacts: show the fields that matter for the chosen kind of contact (no inline scripts).
(function () {
  const form = document.getElementById("contact-plan-form");
  if (!form) {
    return;
  }
  const visitKinds = (form.dataset.visitKinds || "").split(",");
  const remoteKind = form.dataset.remoteKind;
  const kind = form.querySelector("[name=kind]");
  const place = form.querySelector("[name=place]");
  const remote = form.querySelector("[name=remote_justification]");
  const wrapper = (input) => input && (input.closest(".mb-3") || input.parentElement);

  function update() {
    const isVisit = visitKinds.includes(kind.value);
    const isRemote = kind.value === remoteKind;
    if (remote) {
      wrapper(remote).hidden = !isRemote && !remote.value;
      remote.required = isRemote;
    }
    if (place && isVisit && !place.value && kind.value === "kunjungan_rumah") {
      place.value = form.dataset.clientAddress || "";
    }
  }

  kind.addEventListener("change", update);
  update();
})();
