// Item page gallery: thumbnails swap the main photo; links still work without JavaScript.
(function () {
  "use strict";
  var main = document.querySelector("[data-gallery-main]");
  if (!main) return;
  document.querySelectorAll("[data-gallery-thumb]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      main.src = link.href;
      main.alt = link.querySelector("img").alt;
      document.querySelectorAll("[data-gallery-thumb]").forEach(function (other) {
        other.removeAttribute("aria-current");
      });
      link.setAttribute("aria-current", "true");
    });
  });
})();
