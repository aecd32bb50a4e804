// Bulk work in "Our listings": "Select all on this page" checks the rows in place (without
// JavaScript the link reloads the page with every row checked), and the count of rows
// chosen is shown beside it. The form itself is a plain POST.
(function () {
  "use strict";
  var form = document.querySelector("[data-bulk-form]");
  if (!form) return;
  var toggle = form.querySelector("[data-select-all]");
  var count = form.querySelector("[data-bulk-count]");
  var boxes = function () { return form.querySelectorAll('input[type=checkbox][name=id]'); };

  function chosen() {
    return Array.prototype.filter.call(boxes(), function (box) { return box.checked; }).length;
  }

  function refresh() {
    var n = chosen();
    var all = n > 0 && n === boxes().length;
    count.textContent = count.getAttribute("data-label") + ": " + n;
    toggle.textContent = toggle.getAttribute(all ? "data-clear-text" : "data-all-text");
    toggle.setAttribute("role", "button");
  }

  toggle.addEventListener("click", function (event) {
    event.preventDefault();
    var check = chosen() !== boxes().length;
    boxes().forEach(function (box) { box.checked = check; });
    refresh();
  });
  toggle.addEventListener("keydown", function (event) {
    if (event.key === " ") { event.preventDefault(); toggle.click(); }  // a button's key
  });
  form.addEventListener("change", refresh);
  refresh();
})();
