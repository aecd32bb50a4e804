// Item page, live: the reserve form's maximum follows the count, and it says when the
// item is gone. (The count itself: live-counts.js.)
(function () {
  "use strict";
  var tag = (document.currentScript || {}).dataset || {}; // texts on this script's tag
  var live = window.KierratysLive;
  var detail = document.querySelector(".listing-detail[data-listing-id]");
  if (!live || !detail) return;
  var events = { "listing.published": true, "listing.changed": true, "listing.removed": true };
  document.addEventListener("kierratys:live", function (event) {
    var data = event.detail.data;
    if (!events[event.detail.event] || String(data.id) !== detail.dataset.listingId) return;
    var quantity = detail.querySelector("[data-reserve-form] input[name=quantity]");
    if (quantity) quantity.max = Math.max(data.quantity_available, 1); // the waiting list takes 1+
    if (event.detail.event === "listing.removed" || data.quantity_available === 0) live.announce(tag.goneHere);
  });
})();
