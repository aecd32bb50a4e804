// Listing form: previews of the photos chosen, before they are sent.
(function () {
  "use strict";
  var tag = (document.currentScript || {}).dataset || {}; // texts on this script's tag
  var previews = document.querySelector("[data-photo-previews]");
  var inputs = document.querySelectorAll("[data-photo-input]");
  if (!previews) return;
  function render() {
    previews.textContent = "";
    inputs.forEach(function (input) {
      Array.prototype.forEach.call(input.files || [], function (file) {
        var li = document.createElement("li");
        var img = document.createElement("img");
        img.alt = tag.selectedPhoto + ": " + file.name;
        img.src = URL.createObjectURL(file);
        img.onload = function () { URL.revokeObjectURL(img.src); };
        li.appendChild(img);
        previews.appendChild(li);
      });
    });
  }
  inputs.forEach(function (input) { input.addEventListener("change", render); });
})();
