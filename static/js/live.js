// Live updates: one websocket per page, reconnecting with backoff; pages work without it.
// Each message ({"event": NAME, "data": {...}}, docs/live-events.md) is passed on as a
// "kierratys:live" event on the document; the page's live-*.js modules act on it.
(function () {
  "use strict";
  // Everything this script needs is in data-* attributes on its own tag (the CSP allows
  // no inline script): the socket's address and close codes from the server, and texts.
  var tag = (document.currentScript || {}).dataset || {};
  if (!tag.url || !window.WebSocket) return;
  var CLOSE = {
    regroup: Number(tag.closeRegroup), // the account changed: reconnect for its new groups
    signedOut: Number(tag.closeSignedOut),
    tooSlow: Number(tag.closeTooSlow), // fell behind: the reconnect refreshes the page
    tooMany: Number(tag.closeTooMany) // this user has too many sockets open
  };
  var SECOND = 1000; // ms
  var TOO_MANY_RETRY = 60 * SECOND; // other tabs may close meanwhile: try again, but slowly
  var MAX_BACKOFF = 30 * SECOND;
  var indicator = document.querySelector("[data-live-indicator]");
  var announcer = document.querySelector("[data-live-announcer]");
  var socket = null;
  var attempt = 0;
  var wasConnected = false;
  var stopped = false; // signed out: no more reconnecting

  function setState(live, text) {
    if (!indicator) return;
    indicator.dataset.state = live ? "live" : "offline";
    indicator.querySelector("[data-live-text]").textContent = text || (live ? tag.live : tag.offline);
  }

  function announce(text) {
    if (!announcer || !text) return;
    announcer.textContent = "";
    setTimeout(function () { announcer.textContent = text; }, 50);
  }

  // A failure the user should know about, shown in the page's messages (a polite live
  // region); a new one replaces the last, and warn("") takes it away once things work.
  function warn(text) {
    var messages = document.querySelector("[data-messages]");
    var note = messages && messages.querySelector("[data-live-problem]");
    if (!text) { if (note) note.remove(); return; }
    if (!messages) { announce(text); return; }
    if (!note) {
      note = document.createElement("p");
      note.className = "message message-warning";
      note.setAttribute("data-live-problem", "");
      messages.appendChild(note);
    }
    note.textContent = text;
  }

  // The session has ended (signed out here or elsewhere): reconnecting cannot help, and
  // the page says so instead of retrying for ever.
  function signedOut() {
    stopped = true;
    var text = tag.signedOut || tag.offline;
    setState(false, text);
    if (indicator) {
      indicator.dataset.reason = "signed-out";
      indicator.title = text;
    }
    announce(text);
  }

  function emit(name, detail) {
    document.dispatchEvent(new CustomEvent(name, { detail: detail }));
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + tag.url);
    socket.onopen = function () {
      attempt = 0;
      setState(true);
      if (wasConnected) emit("kierratys:reconnected"); // catch up on what was missed
      wasConnected = true;
    };
    socket.onmessage = function (message) {
      var payload;
      try {
        payload = JSON.parse(message.data);
      } catch (error) {
        // The server sends JSON only; anything else is a bug to see, not to act on.
        if (window.console) console.warn("live: a message that is not JSON", error);
        return;
      }
      emit("kierratys:live", { event: payload.event, data: payload.data || {} });
    };
    socket.onclose = function (event) {
      if (stopped) return;
      if (event.code === CLOSE.signedOut) { signedOut(); return; }
      if (event.code === CLOSE.tooMany) {
        setState(false, tag.tooMany || tag.offline);
        setTimeout(connect, TOO_MANY_RETRY * (1 + Math.random())); // not a hot loop
        return;
      }
      setState(false);
      if (event.code === CLOSE.regroup) { connect(); return; } // it was open: not a loop
      // Exponential backoff with full jitter: 1 s, 2 s, 4 s ... at most 30 s.
      var delay = Math.random() * Math.min(MAX_BACKOFF, SECOND * Math.pow(2, attempt));
      attempt += 1;
      setTimeout(connect, Math.max(SECOND / 2, delay));
    };
  }

  window.KierratysLive = {
    announce: announce,
    warn: warn,
    socket: function () { return socket; }
  };
  // Connect once the page's live-*.js modules (deferred, after this one) are listening:
  // DOMContentLoaded comes after every deferred script ("load" if that has passed).
  var started = false;
  function start() { if (!started) { started = true; connect(); } }
  if (document.readyState === "complete") start();
  document.addEventListener("DOMContentLoaded", start);
  window.addEventListener("load", start);
})();
