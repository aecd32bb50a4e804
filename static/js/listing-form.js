// Listing form: previews of chosen photos and the category's typical weight as a hint.
(function () {
  "use strict";
  var t = (document.currentScript || {}).dataset || {}; // texts on this script's tag
  var previews = document.querySelector("[data-photo-previews]");
  var inputs = document.querySelectorAll("[data-photo-input]");
  function render() {
    if (!previews) return;
    previews.textContent = "";
    inputs.forEach(function (input) {
      Array.prototype.forEach.call(input.files || [], function (file) {
        var li = document.createElement("li");
        var img = document.createElement("img");
        img.alt = t.removePhoto + ": " + file.name;
        img.src = URL.createObjectURL(file);
        img.onload = function () { URL.revokeObjectURL(img.src); };
        li.appendChild(img);
        previews.appendChild(li);
      });
    });
  }
  inputs.forEach(function (input) { input.addEventListener("change", render); });

  var weights = document.getElementById("category-weights");
  var category = document.getElementById("id_category");
  var hint = document.querySelector("[data-weight-hint]");
  if (weights && category && hint) {
    var map = JSON.parse(weights.textContent);
    var update = function () {
      var kg = map[category.value];
      hint.hidden = !kg;
      if (kg) hint.textContent = (t.typicalWeight || "").replace("{kg}", kg);
    };
    category.addEventListener("change", update);
    update();
  }
})();
