// Listing form: the chosen category's typical weight, as a hint beside the weight field.
// The weights come in a json_script block whose id is on this script's tag.
(function () {
  "use strict";
  var tag = (document.currentScript || {}).dataset || {};
  var weights = document.getElementById(tag.weights);
  var category = document.getElementById("id_category");
  var hint = document.querySelector("[data-weight-hint]");
  if (!weights || !category || !hint) return;
  var map = JSON.parse(weights.textContent);
  function update() {
    var kg = map[category.value];
    hint.hidden = !kg;
    if (!kg) return;
    // In the page's language: 14 or 12,5 in fi and sv, never "14.00".
    var shown = Number(kg).toLocaleString(document.documentElement.lang || undefined, {
      maximumFractionDigits: 2,
    });
    hint.textContent = (tag.typicalWeight || "").replace("{kg}", shown);
  }
  category.addEventListener("change", update);
  update();
})();
