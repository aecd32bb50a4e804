// Announcements, live: one published for this person shows on top of the page without a
// reload (from the banner's <template>), an ended or dismissed one goes away, and the
// "Dismiss" button is sent in place. Without this script the button is a plain form.
(function () {
  "use strict";
  var region = document.querySelector("[data-announcements]");
  var template = document.querySelector("template[data-announcement-template]");
  if (!region || !template) return;
  var live = window.KierratysLive;
  var tag = (document.currentScript || {}).dataset || {}; // texts on this script's tag
  var lang = document.documentElement.lang || "fi";

  function find(id) {
    return region.querySelector('[data-announcement-id="' + String(Number(id)) + '"]');
  }

  function refresh() {
    region.hidden = !region.querySelector("[data-announcement-id]");
  }

  function remove(id) {
    var item = find(id);
    if (!item) return;
    var hadFocus = item.contains(document.activeElement);
    item.remove();
    refresh();
    if (hadFocus) document.getElementById("main").focus(); // not lost on <body>
  }

  function setText(node, text) {
    node.textContent = text.text;
    if (text.language !== lang) node.setAttribute("lang", text.language);
  }

  function setBody(node, text) {
    // Plain text with its line breaks: text nodes and <br>, never HTML.
    text.text.split("\n").forEach(function (line, index) {
      if (index) node.appendChild(document.createElement("br"));
      node.appendChild(document.createTextNode(line));
    });
    if (text.language !== lang) node.setAttribute("lang", text.language);
  }

  function add(data) {
    if (find(data.id)) return;
    var texts = data.texts[lang] || data.texts.fi;
    var item = template.content.firstElementChild.cloneNode(true);
    var id = String(Number(data.id));
    var important = data.severity === "important";
    item.dataset.announcementId = id;
    item.id = "announcement-banner-" + id;
    item.classList.add("announcement-" + (important ? "important" : "info"));
    item.setAttribute("aria-labelledby", "announcement-" + id + "-title");
    var title = item.querySelector(".announcement-title");
    title.id = "announcement-" + id + "-title";
    setText(title.querySelector("[data-title]"), texts.title);
    if (important) {
      item.querySelector(".announcement-mark").hidden = false;
      item.querySelector("[data-important]").hidden = false;
    }
    setBody(item.querySelector("[data-body]"), texts.body);
    var form = item.querySelector("form");
    form.action = form.getAttribute("action").replace(/\/0\/dismiss\/$/, "/" + id + "/dismiss/");
    item.querySelector("[data-dismiss-title]").textContent = ": " + texts.title.text;
    region.insertBefore(item, region.firstElementChild);
    refresh();
    if (important && live) live.announce((tag.important || "") + " " + texts.title.text);
  }

  region.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-announcement-dismiss]");
    if (!form || !window.fetch) return;
    event.preventDefault();
    var item = form.closest("[data-announcement-id]");
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      if (response.ok || response.status === 404) { // 404: it ended meanwhile
        remove(item.dataset.announcementId);
      } else {
        form.submit(); // the page answers as without JavaScript
      }
    }, function () { form.submit(); });
  });

  // After a reconnect, what was published or ended meanwhile comes from a fresh copy of this
  // page: the one live-regions.js fetches anyway, or our own where the page has no regions.
  function takeFrom(page) {
    var fresh = page && page.querySelector("[data-announcements]");
    if (!fresh || region.contains(document.activeElement)) return;
    region.innerHTML = fresh.innerHTML;
    refresh();
  }
  document.addEventListener("kierratys:refreshed", function (event) {
    takeFrom(event.detail && event.detail.page);
  });
  document.addEventListener("kierratys:reconnected", function () {
    if (document.querySelector("[data-live-region]") || !window.fetch) return;
    fetch(window.location.href, { credentials: "same-origin", headers: { "X-Live-Refresh": "1" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) { takeFrom(new DOMParser().parseFromString(html, "text/html")); })
      .catch(function () { if (live) live.warn(tag.refreshFailed); }); // a reload shows them
  });

  document.addEventListener("kierratys:live", function (event) {
    var name = event.detail.event, data = event.detail.data;
    if (name === "announcement.published") add(data);
    else if (name === "announcement.ended" || name === "announcement.dismissed") remove(data.id);
  });
})();
