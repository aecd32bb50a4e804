// Catalogue: filters update the results in place (and the URL), without a full reload.
// Without JavaScript the form simply submits.
(function () {
  "use strict";
  var form = document.querySelector("[data-catalogue-form]");
  var results = document.querySelector("[data-results]");
  if (!form || !results || !window.fetch) return;
  var timer = null;
  var controller = null;

  function query() {
    var params = new URLSearchParams(new FormData(form));
    Array.from(params.keys()).forEach(function (key) {
      if (params.getAll(key).every(function (v) { return v === ""; })) params.delete(key);
    });
    return params.toString();
  }

  function load(url, push) {
    if (controller) controller.abort();
    controller = new AbortController();
    results.setAttribute("aria-busy", "true");
    fetch(url, { headers: { "X-Partial": "results" }, signal: controller.signal, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (html) {
        results.innerHTML = html;
        results.removeAttribute("aria-busy");
        if (push) history.replaceState(null, "", url);
        document.dispatchEvent(new CustomEvent("kierratys:results"));
      })
      .catch(function (err) {
        if (err.name !== "AbortError") window.location.href = url; // fall back to a full load
      });
  }

  function update() {
    var q = query();
    load(form.action + (q ? "?" + q : ""), true);
  }

  form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(update, 150); });
  form.addEventListener("input", function (event) {
    if (event.target.type === "search") { clearTimeout(timer); timer = setTimeout(update, 400); }
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); update(); });
  results.addEventListener("click", function (event) {
    var link = event.target.closest(".pagination a");
    if (!link) return;
    event.preventDefault();
    load(link.href, true);
    results.scrollIntoView({ behavior: "smooth", block: "start" });
  });
  var filters = document.querySelector("[data-filters]");
  if (filters && window.matchMedia("(min-width: 60rem)").matches) filters.open = true;
  window.KierratysCatalogue = { refresh: function () { load(window.location.href, false); } };
})();
