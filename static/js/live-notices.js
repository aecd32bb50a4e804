// Notices, live: a new match for a saved search or a wanted request adds one to the header's
// notice count.
(function () {
  "use strict";
  var tag = (document.currentScript || {}).dataset || {}; // texts on this script's tag
  var live = window.KierratysLive;
  if (!live) return;
  document.addEventListener("kierratys:live", function (event) {
    // Saved searches' matches, and wanted requests' (listings.wanted).
    var texts = { "search.match": tag.searchMatch, "wanted.match": tag.wantedMatch };
    var text = texts[event.detail.event];
    if (!text) return;
    var badge = document.querySelector("[data-notice-count]");
    if (badge) {
      badge.hidden = false;
      badge.firstChild.textContent = String((parseInt(badge.firstChild.textContent, 10) || 0) + 1);
    }
    live.announce(text + " " + event.detail.data.title);
  });
})();
