// Live counts: every listing's "available" count on the page follows its listing events.
(function () {
  "use strict";
  var events = { "listing.published": true, "listing.changed": true, "listing.removed": true };
  document.addEventListener("kierratys:live", function (event) {
    if (!events[event.detail.event]) return;
    var data = event.detail.data;
    document.querySelectorAll('[data-listing-id="' + data.id + '"] [data-available]').forEach(function (count) {
      count.textContent = data.quantity_available;
    });
  });
})();
