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
    if (kg) hint.textContent = (tag.typicalWeight || "").replace("{kg}", kg);
  }
  category.addEventListener("change", update);
  update();
})();
