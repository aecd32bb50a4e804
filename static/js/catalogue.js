// Catalogue: filters update the results in place (and the URL), without a full reload.
// Without JavaScript the form simply submits, and the filter sheet is a plain <details>.
//
// Results never change out of sight: on a phone the filters are a sheet over the results,
// so while it is open a change only fetches the new count for its "Show N results"
// button; the results change when the sheet closes (that button, its Close, or Escape).
// Beside the results (wide screens) a change shows at once, where the user sees it.
(function () {
  "use strict";
  var form = document.querySelector("[data-catalogue-form]");
  var results = document.querySelector("[data-results]");
  if (!form || !results || !window.fetch) return;
  var filters = document.querySelector("[data-filters]");
  var showButton = document.querySelector("[data-show-results]");
  var wide = window.matchMedia("(min-width: 60rem)"); // app.css: filters beside the results
  var behind = [".site-header", ".search-bar", "[data-results]", ".site-footer"];
  var timer = null;
  var controller = null;
  var requested = formUrl(); // the results shown (or being fetched to show), as the form says
  var pending = null; // {url, html}: fetched while the sheet was open, shown when it closes

  function query() {
    var params = new URLSearchParams(new FormData(form));
    Array.from(params.keys()).forEach(function (key) {
      if (params.getAll(key).every(function (v) { return v === ""; })) params.delete(key);
    });
    return params.toString();
  }

  function formUrl() {
    var q = query();
    return form.action + (q ? "?" + q : "");
  }

  function sheetOpen() { return !!filters && filters.open && !wide.matches; }

  // The button's "Show N results" and the summary's count, from a page of results.
  function describe(root) {
    var label = root.querySelector("[data-show-label]");
    if (label && showButton) showButton.textContent = label.textContent.trim();
  }
  function countActive(root) {
    var head = root.querySelector("[data-results-head]");
    var count = document.querySelector("[data-filters-count]");
    if (!head || !count) return;
    var n = Number(head.dataset.activeCount || 0);
    count.querySelector("[data-filters-count-n]").textContent = String(n);
    count.hidden = n === 0;
  }

  function fetchResults(url) {
    if (controller) controller.abort();
    controller = new AbortController();
    return fetch(url, { headers: { "X-Partial": "results" }, signal: controller.signal, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); });
  }

  function show(url, html) {
    results.innerHTML = html;
    results.removeAttribute("aria-busy");
    history.replaceState(null, "", url);
    describe(results);
    countActive(results);
    document.dispatchEvent(new CustomEvent("kierratys:results"));
  }

  function load(url) {
    requested = url;
    pending = null;
    results.setAttribute("aria-busy", "true");
    fetchResults(url)
      .then(function (html) { show(url, html); })
      .catch(function (err) {
        if (err.name !== "AbortError") window.location.href = url; // fall back to a full load
      });
  }

  // The sheet is open: only the button learns the count; the results wait.
  function preview(url) {
    fetchResults(url)
      .then(function (html) {
        pending = { url: url, html: html };
        var doc = new DOMParser().parseFromString(html, "text/html");
        describe(doc);
      })
      .catch(function (err) {
        if (err.name !== "AbortError") pending = null; // closing the sheet loads them
      });
  }

  function update() {
    var url = formUrl();
    if (sheetOpen()) preview(url); else load(url);
  }

  // Show what the form says now: from the preview if it is current, else fetched.
  function apply() {
    clearTimeout(timer);
    var url = formUrl();
    if (pending && pending.url === url) {
      requested = url;
      var html = pending.html;
      pending = null;
      show(url, html);
    } else if (url !== requested) {
      load(url);
    }
  }

  function setBehindInert(inert) {
    behind.forEach(function (selector) {
      document.querySelectorAll(selector).forEach(function (el) { el.inert = inert; });
    });
  }

  form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(update, 150); });
  form.addEventListener("input", function (event) {
    if (event.target.type === "search") { clearTimeout(timer); timer = setTimeout(update, 400); }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sheetOpen()) {
      filters.open = false; // its toggle event applies the filters
      results.scrollIntoView({ block: "start" });
    } else {
      apply();
    }
  });
  results.addEventListener("click", function (event) {
    var link = event.target.closest(".pagination a");
    if (!link) return;
    event.preventDefault();
    load(link.href);
    results.scrollIntoView({ behavior: "smooth", block: "start" });
  });
  if (filters) {
    filters.addEventListener("toggle", function () {
      var sheet = sheetOpen();
      setBehindInert(sheet);
      document.documentElement.classList.toggle("has-open-sheet", sheet);
      if (!filters.open) apply();
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || !sheetOpen()) return;
      filters.open = false;
      filters.querySelector("summary").focus();
    });
    var fit = function () { filters.open = wide.matches; };
    fit();
    if (wide.addEventListener) wide.addEventListener("change", fit);
  }
  // A live refresh (live-regions.js) swapped the results: keep the counts in step with them.
  document.addEventListener("kierratys:refreshed", function () {
    if (!pending) describe(results);
    countActive(results);
  });
  window.KierratysCatalogue = { refresh: function () { load(window.location.href); } };
})();
