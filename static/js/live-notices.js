// Notices, live: a new match for a saved search adds one to the header's notice count.
(function () {
  "use strict";
  var tag = (document.currentScript || {}).dataset || {}; // texts on this script's tag
  var live = window.KierratysLive;
  if (!live) return;
  document.addEventListener("kierratys:live", function (event) {
    if (event.detail.event !== "search.match") return;
    var badge = document.querySelector("[data-notice-count]");
    if (badge) {
      badge.hidden = false;
      badge.firstChild.textContent = String((parseInt(badge.firstChild.textContent, 10) || 0) + 1);
    }
    live.announce(tag.searchMatch + " " + event.detail.data.title);
  });
})();
