// Item page of a listing for loan, live: when someone books, cancels, hands out or takes
// back a loan of this item, the calendar is fetched afresh (live-regions.js swaps the
// [data-live-region] parts) and the change is announced politely. Without JavaScript or
// the socket, the calendar is as fresh as the page.
(function () {
  "use strict";
  var tag = (document.currentScript || {}).dataset || {}; // texts on this script's tag
  var live = window.KierratysLive;
  var calendar = document.querySelector("[data-loan-calendar]");
  if (!live || !calendar) return;
  document.addEventListener("kierratys:live", function (event) {
    var data = event.detail.data || {};
    if (event.detail.event !== "loan.changed") return;
    if (String(data.listing) !== calendar.dataset.loanCalendar) return;
    document.dispatchEvent(new CustomEvent("kierratys:stale"));
    live.announce(tag.changed);
  });
})();
