// Switching the language keeps what the user typed. The language switch posts and the
// server sends the browser back to the same address in the new language: just before it
// posts, the fields the user changed on this page go to sessionStorage; when the page
// loads again at that address, they are filled back in. Files cannot be kept: with photos
// chosen, the switch asks first (data-photos-lost). Hidden fields (the one-time form
// tokens) and passwords are never stored. Without JavaScript the switch simply posts.
(function () {
  "use strict";
  var tag = (document.currentScript || {}).dataset || {};
  var KEY = "kierratys:language-keep";
  var MAX_AGE_MS = 10 * 60 * 1000; // an old entry is somebody else's moment: ignore it
  var NEVER = { hidden: 1, password: 1, file: 1, submit: 1, button: 1, reset: 1, image: 1 };
  var switchers = Array.prototype.slice.call(document.querySelectorAll("form.lang-switch"));
  var store = window.sessionStorage;
  if (!switchers.length || !store) return;

  function here() {
    return window.location.pathname + window.location.search;
  }

  function pageForms() {
    return Array.prototype.filter.call(document.forms, function (form) {
      return switchers.indexOf(form) === -1;
    });
  }

  function keepable(element) {
    return element.name && !element.disabled && !NEVER[element.type] &&
      /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName);
  }

  // Each field by its name and, for repeated names (radio buttons), its place among them.
  function fields(form) {
    var seen = {};
    return Array.prototype.filter.call(form.elements, keepable).map(function (element) {
      var nth = seen[element.name] = (seen[element.name] || 0) + 1;
      return { element: element, name: element.name, nth: nth };
    });
  }

  function changed(element) {
    if (element.type === "checkbox" || element.type === "radio") {
      return element.checked !== element.defaultChecked;
    }
    if (element.tagName === "SELECT") {
      return Array.prototype.some.call(element.options, function (option) {
        return option.selected !== option.defaultSelected;
      });
    }
    return element.value !== element.defaultValue;
  }

  function valueOf(element) {
    if (element.type === "checkbox" || element.type === "radio") return element.checked;
    if (element.tagName === "SELECT") {
      return Array.prototype.filter.call(element.options, function (option) {
        return option.selected;
      }).map(function (option) { return option.value; });
    }
    return element.value;
  }

  function setValue(element, value) {
    if (element.type === "checkbox" || element.type === "radio") {
      element.checked = Boolean(value);
    } else if (element.tagName === "SELECT") {
      Array.prototype.forEach.call(element.options, function (option) {
        option.selected = value.indexOf(option.value) !== -1;
      });
    } else {
      element.value = value;
    }
    // Scripts that follow a field (hints, previews) see the value as if typed.
    element.dispatchEvent(new Event("input", { bubbles: true }));
    element.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function photosChosen() {
    return pageForms().some(function (form) {
      return Array.prototype.some.call(form.elements, function (element) {
        return element.type === "file" && element.files && element.files.length > 0;
      });
    });
  }

  function keep(event) {
    if (photosChosen() && tag.photosLost && !window.confirm(tag.photosLost)) {
      event.preventDefault();
      return;
    }
    var kept = pageForms().map(function (form, index) {
      return {
        index: index,
        action: form.getAttribute("action") || "",
        fields: fields(form).filter(function (field) {
          return changed(field.element);
        }).map(function (field) {
          return { name: field.name, nth: field.nth, value: valueOf(field.element) };
        })
      };
    }).filter(function (form) { return form.fields.length > 0; });
    if (kept.length) {
      store.setItem(KEY, JSON.stringify({ path: here(), at: Date.now(), forms: kept }));
    } else {
      store.removeItem(KEY);
    }
  }
  switchers.forEach(function (switcher) {
    switcher.addEventListener("submit", keep);
  });

  var saved = store.getItem(KEY);
  if (!saved) return;
  store.removeItem(KEY); // once: a later visit starts from what the server sends
  saved = JSON.parse(saved);
  if (saved.path !== here() || Date.now() - saved.at > MAX_AGE_MS) return;
  var forms = pageForms();
  saved.forms.forEach(function (keptForm) {
    var form = forms[keptForm.index];
    if (!form || (form.getAttribute("action") || "") !== keptForm.action) return;
    var byKey = {};
    fields(form).forEach(function (field) {
      byKey[field.name + "#" + field.nth] = field.element;
    });
    keptForm.fields.forEach(function (field) {
      var element = byKey[field.name + "#" + field.nth];
      if (element) setValue(element, field.value);
    });
  });
})();
