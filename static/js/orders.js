// Revocation decision: the decree number and date matter only when approving.
(function () {
  "use strict";
  var form = document.getElementById("revocation-decision");
  if (!form) return;
  var radios = form.querySelectorAll('input[name="decision"]');
  var blocks = form.querySelectorAll(".js-decree-fields");
  function sync() {
    var checked = form.querySelector('input[name="decision"]:checked');
    var approving = !checked || checked.value === "approve";
    blocks.forEach(function (block) { block.classList.toggle("d-none", !approving); });
  }
  radios.forEach(function (radio) { radio.addEventListener("change", sync); });
  sync();
})();
