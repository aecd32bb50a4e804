// Reserve form: the delivery times show only when "delivery by the warehouse" is chosen,
// and the button (and the reserve page's heading) say so. Without this script the times
// are always there, labelled as only for delivery, and the service ignores them for a
// pickup. The item page's reserve box is a live region, so this runs again after a refresh.
(function () {
  "use strict";

  function delivering(form) {
    var chosen = form.querySelector("input[name=handover]:checked");
    return Boolean(chosen && chosen.value === "delivery");
  }

  function update(form) {
    var picker = form.querySelector("[data-delivery-picker]");
    var on = delivering(form) && Boolean(picker);
    if (picker) picker.hidden = !on;
    var texts = Array.prototype.slice.call(form.querySelectorAll("[data-delivery-text]"));
    var heading = document.querySelector("main h1[data-delivery-text]");
    if (heading) texts.push(heading);
    texts.forEach(function (element) {
      element.textContent = on ? element.dataset.deliveryText : element.dataset.pickupText;
    });
  }

  function updateAll() {
    document.querySelectorAll("form[data-reserve-form]").forEach(update);
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-reserve-form]");
    if (form && event.target.name === "handover") update(form);
  });
  document.addEventListener("kierratys:refreshed", updateAll);
  updateAll();
})();
