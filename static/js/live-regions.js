// Live regions: the page's [data-live-region] parts are fetched afresh when a reservation
// or task changes, after a reconnect (events may have been missed), and when another
// module asks with a "kierratys:stale" event. Without it the page shows them on reload.
(function () {
  "use strict";
  var tag = (document.currentScript || {}).dataset || {}; // texts on this script's tag
  var live = window.KierratysLive;
  if (!live || !window.fetch) return;
  var timer = null;

  // Refetch this page and swap every [data-live-region] with its fresh version.
  function refresh() {
    var regions = document.querySelectorAll("[data-live-region]");
    if (!regions.length) return;
    fetch(window.location.href, { credentials: "same-origin", headers: { "X-Live-Refresh": "1" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        regions.forEach(function (region) {
          var name = region.dataset.liveRegion;
          var replacement = fresh.querySelector('[data-live-region="' + name + '"]');
          // Never pull a form from under someone using it (focus, or an opened cancel form).
          var inUse = region.contains(document.activeElement) || region.querySelector("details[open]");
          if (replacement && !inUse) region.innerHTML = replacement.innerHTML;
        });
        live.warn(""); // up to date again
        document.dispatchEvent(new CustomEvent("kierratys:refreshed", { detail: { page: fresh } }));
      })
      .catch(function () { live.warn(tag.refreshFailed); }); // reloading still works
  }

  function refreshSoon() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  }

  var announcements = { "reservation.changed": tag.reservationChanged, "task.changed": tag.taskChanged };
  document.addEventListener("kierratys:live", function (event) {
    var name = event.detail.event;
    if (!(name in announcements)) return;
    refreshSoon();
    live.announce(announcements[name]);
  });
  document.addEventListener("kierratys:reconnected", refresh);
  document.addEventListener("kierratys:stale", refreshSoon);
})();
