// Live updates: one websocket per page, reconnecting with backoff; pages work without it.
// Events: {"event": NAME, "data": {...}} (docs/live-events.md).
(function () {
  "use strict";
  var url = document.body.dataset.liveUrl;
  if (!url || !window.WebSocket) return;
  // The page's texts, in data-* attributes on this script's own tag (no inline script).
  var t = (document.currentScript || {}).dataset || {};
  var indicator = document.querySelector("[data-live-indicator]");
  var announcer = document.querySelector("[data-live-announcer]");
  var socket = null;
  var attempt = 0;
  var wasConnected = false;
  var refreshTimer = null;
  var goneTimers = new WeakMap(); // greyed-out card -> its removal timer
  var stopped = false; // signed out: no more reconnecting
  // Close codes (docs/live-events.md): no signed-in user; this user has too many sockets.
  var CLOSE_SIGNED_OUT = 4401;
  var CLOSE_TOO_MANY = 4429;
  var TOO_MANY_RETRY_MS = 60000; // other tabs may close meanwhile: try again, but slowly

  function setState(live, text) {
    if (!indicator) return;
    indicator.dataset.state = live ? "live" : "offline";
    indicator.querySelector("[data-live-text]").textContent = text || (live ? t.live : t.offline);
  }

  // The session has ended (signed out here or elsewhere): reconnecting cannot help, and
  // the page says so instead of retrying for ever.
  function signedOut() {
    stopped = true;
    var text = t.signedOut || t.offline;
    setState(false, text);
    if (indicator) {
      indicator.dataset.reason = "signed-out";
      indicator.title = text;
    }
    announce(text);
  }

  function announce(text) {
    if (!announcer || !text) return;
    announcer.textContent = "";
    setTimeout(function () { announcer.textContent = text; }, 50);
  }

  // Refetch this page and swap every [data-live-region] with its fresh version.
  function refreshRegions() {
    var regions = document.querySelectorAll("[data-live-region]");
    if (!regions.length) return Promise.resolve();
    return fetch(window.location.href, { credentials: "same-origin", headers: { "X-Live-Refresh": "1" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html");
        regions.forEach(function (region) {
          var name = region.dataset.liveRegion;
          var replacement = fresh.querySelector('[data-live-region="' + name + '"]');
          // Never pull a form from under someone using it (focus, or an opened cancel form).
          var inUse = region.contains(document.activeElement) || region.querySelector("details[open]");
          if (replacement && !inUse) region.innerHTML = replacement.innerHTML;
        });
        document.dispatchEvent(new CustomEvent("kierratys:refreshed"));
      })
      .catch(function () {});
  }

  function refreshSoon() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refreshRegions, 250);
  }

  function updateListing(data, removed) {
    document.querySelectorAll('[data-listing-id="' + data.id + '"]').forEach(function (el) {
      el.querySelectorAll("[data-available]").forEach(function (n) { n.textContent = data.quantity_available; });
      if (el.classList.contains("card-item")) {
        var gone = removed || data.quantity_available === 0;
        el.classList.toggle("is-gone", gone);
        clearTimeout(goneTimers.get(el));
        goneTimers.delete(el);
        if (gone) {
          el.setAttribute("aria-disabled", "true");
          goneTimers.set(el, setTimeout(function () {
            goneTimers.delete(el);
            if (el.classList.contains("is-gone")) el.remove();
          }, 4000));
        } else {
          el.removeAttribute("aria-disabled"); // back in stock before it went
        }
      }
    });
    var detail = document.querySelector('.listing-detail[data-listing-id="' + data.id + '"]');
    if (detail) {
      var quantity = detail.querySelector("[data-reserve-form] input[name=quantity]");
      if (quantity) quantity.max = Math.max(data.quantity_available, 1);
      if (removed || data.quantity_available === 0) announce(t.goneHere);
    }
  }

  function addCard(data) {
    var cards = document.querySelector("[data-cards]");
    var onFirstPage = !/[?&]page=([2-9]|\d{2,})/.test(window.location.search);
    if (!onFirstPage) return;
    if (!cards) { refreshSoon(); return; } // an empty catalogue has no list yet: ask the server
    if (window.location.search.replace(/^\?/, "").length) { refreshSoon(); return; } // filtered: ask the server
    if (document.querySelector('.card-item[data-listing-id="' + data.id + '"]')) return;
    fetch("/listings/" + data.id + "/card/", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        cards.insertAdjacentHTML("afterbegin", html);
        var card = cards.firstElementChild;
        card.classList.add("is-new");
        announce(t.newItem + " " + (card.querySelector(".card-title") || {}).textContent);
      });
  }

  var handlers = {
    "listing.published": function (d) { addCard(d); updateListing(d, false); },
    "listing.changed": function (d) { updateListing(d, false); },
    "listing.removed": function (d) { updateListing(d, true); },
    "reservation.changed": function () { refreshSoon(); announce(t.reservationChanged); },
    "task.changed": function () { refreshSoon(); announce(t.taskChanged); },
    "search.match": function (d) {
      var badge = document.querySelector("[data-notice-count]");
      if (badge) { badge.hidden = false; badge.firstChild.textContent = String((parseInt(badge.firstChild.textContent, 10) || 0) + 1); }
      announce(t.searchMatch + " " + d.title);
    }
  };

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + url);
    socket.onopen = function () {
      attempt = 0;
      setState(true);
      if (wasConnected) refreshRegions(); // catch up on anything missed while offline
      wasConnected = true;
    };
    socket.onmessage = function (message) {
      var payload;
      try { payload = JSON.parse(message.data); } catch (e) { return; }
      var handler = handlers[payload.event];
      if (handler) handler(payload.data || {});
      document.dispatchEvent(new CustomEvent("kierratys:live", { detail: payload }));
    };
    socket.onclose = function (event) {
      if (stopped) return;
      if (event.code === CLOSE_SIGNED_OUT) { signedOut(); return; }
      if (event.code === CLOSE_TOO_MANY) {
        setState(false, t.tooMany || t.offline);
        setTimeout(connect, TOO_MANY_RETRY_MS * (1 + Math.random())); // not a hot loop
        return;
      }
      setState(false);
      // Exponential backoff with full jitter: 1 s, 2 s, 4 s ... at most 30 s.
      var delay = Math.random() * Math.min(30000, 1000 * Math.pow(2, attempt));
      attempt += 1;
      setTimeout(connect, Math.max(500, delay));
    };
  }

  connect();
  window.KierratysLive = { refresh: refreshRegions, socket: function () { return socket; } };
})();
