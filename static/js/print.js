// Print pages (labels, pickup slips, run sheets): the Print button, without an inline handler.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
