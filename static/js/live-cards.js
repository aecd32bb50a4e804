// Catalogue, live: a card greys out and goes when none is left, comes back if some are
// again, and new listings appear at the top of the first, unfiltered page.
(function () {
  "use strict";
  // This script's tag: its texts, and the card URL of listing 0 ({% url %}): the "/0/"
  // in it is replaced with the new listing's id.
  var tag = (document.currentScript || {}).dataset || {};
  var live = window.KierratysLive;
  if (!live || !window.fetch) return;
  var GONE_AFTER = 4 * 1000; // ms a greyed-out card stays, so the change is seen
  var goneTimers = new WeakMap(); // greyed-out card -> its removal timer

  function cardUrl(id) {
    var at = tag.cardUrl.lastIndexOf("/0/");
    return tag.cardUrl.slice(0, at) + "/" + id + "/" + tag.cardUrl.slice(at + 3);
  }

  function askTheServer() {
    document.dispatchEvent(new CustomEvent("kierratys:stale")); // live-regions.js refetches
  }

  function update(data, removed) {
    document.querySelectorAll('.card-item[data-listing-id="' + data.id + '"]').forEach(function (card) {
      var gone = removed || data.quantity_available === 0;
      card.classList.toggle("is-gone", gone);
      clearTimeout(goneTimers.get(card));
      goneTimers.delete(card);
      if (gone) {
        card.setAttribute("aria-disabled", "true");
        goneTimers.set(card, setTimeout(function () {
          goneTimers.delete(card);
          if (card.classList.contains("is-gone")) card.remove();
        }, GONE_AFTER));
      } else {
        card.removeAttribute("aria-disabled"); // back in stock before it went
      }
    });
  }

  function add(data) {
    var cards = document.querySelector("[data-cards]");
    var onFirstPage = !/[?&]page=([2-9]|\d{2,})/.test(window.location.search);
    if (!onFirstPage) return;
    if (!cards) { askTheServer(); return; } // an empty catalogue has no list yet
    if (window.location.search.replace(/^\?/, "").length) { askTheServer(); return; } // filtered
    if (document.querySelector('.card-item[data-listing-id="' + data.id + '"]')) return;
    fetch(cardUrl(data.id), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        cards.insertAdjacentHTML("afterbegin", html);
        var card = cards.firstElementChild;
        card.classList.add("is-new");
        live.announce(tag.newItem + " " + (card.querySelector(".card-title") || {}).textContent);
      })
      .catch(askTheServer); // the whole results part instead; it says so if that fails too
  }

  document.addEventListener("kierratys:live", function (event) {
    var data = event.detail.data;
    if (event.detail.event === "listing.published") { add(data); update(data, false); }
    if (event.detail.event === "listing.changed") update(data, false);
    if (event.detail.event === "listing.removed") update(data, true);
  });
})();
