// Unit picker (accounts/unit_picker.py): the text input becomes an ARIA 1.2 combobox whose
// options are fetched as one types. Without this script the typed text is sent with the
// form and the server resolves it, so nothing here is needed to choose a unit.
//
// The chosen unit's id goes to the hidden input; typing again clears it. The server
// accepts only units it allows, whatever this script sends. Texts come in data-*
// attributes (no inline script: the CSP allows our own files only).
(function () {
  "use strict";
  var DEBOUNCE_MS = 250;
  var MIN_CHARS = 2;

  function setUp(root) {
    var input = root.querySelector(".unit-picker-box input[type=text]");
    var listbox = root.querySelector("[role=listbox]");
    var hidden = root.querySelector("[data-unit-picker-value]");
    var status = root.querySelector("[data-unit-picker-status]");
    var chosen = root.querySelector("[data-unit-picker-chosen]");
    if (!input || !listbox || !hidden || !status || !window.fetch) return;
    var texts = root.dataset;
    var limit = parseInt(texts.limit, 10) || 20;
    var email = texts.emailField ? document.getElementById(texts.emailField) : null;
    var timer = null;
    var controller = null;
    var options = []; // the <li role=option> elements shown
    var active = -1; // index of the option with visual focus, -1 for none
    var asked = null; // the query of the options shown

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);

    function announce(text) {
      status.textContent = text || "";
    }

    function open() {
      if (!options.length) return;
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    }

    function setActive(index) {
      if (active >= 0 && options[active]) {
        options[active].setAttribute("aria-selected", "false");
        options[active].classList.remove("is-active");
      }
      active = index;
      if (index < 0 || !options[index]) {
        active = -1;
        input.removeAttribute("aria-activedescendant");
        return;
      }
      var option = options[index];
      option.setAttribute("aria-selected", "true");
      option.classList.add("is-active");
      input.setAttribute("aria-activedescendant", option.id);
      if (option.scrollIntoView) option.scrollIntoView({ block: "nearest" });
    }

    function showChosen(detail) {
      if (!chosen) return;
      chosen.textContent = detail || "";
      chosen.hidden = !detail;
    }

    function uncheckRadios() {
      root.querySelectorAll(".unit-picker-matches input[type=radio]").forEach(function (radio) {
        radio.checked = false;
      });
    }

    function choose(option) {
      hidden.value = option.dataset.id;
      input.value = option.dataset.label;
      showChosen(option.dataset.detail);
      uncheckRadios();
      close();
      announce("");
    }

    function render(units) {
      listbox.textContent = "";
      options = units.map(function (unit, index) {
        var li = document.createElement("li");
        li.id = listbox.id + "-" + index;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.id = unit.id;
        li.dataset.label = unit.label;
        li.dataset.detail = unit.detail || "";
        var label = document.createElement("span");
        label.className = "unit-picker-label";
        label.textContent = unit.label;
        li.appendChild(label);
        if (unit.detail) {
          var detail = document.createElement("span");
          detail.className = "unit-picker-detail";
          detail.textContent = unit.detail;
          li.appendChild(detail);
        }
        listbox.appendChild(li);
        return li;
      });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (!units.length) {
        close();
        announce(texts.foundNone);
        return;
      }
      var many = units.length >= limit ? texts.foundMore : units.length === 1 ? texts.foundOne : texts.foundMany;
      announce((many || "").replace("{n}", String(units.length)));
      if (document.activeElement === input) open();
    }

    function query() {
      return input.value.replace(/\s+/g, " ").trim();
    }

    function search() {
      var text = query();
      var emailValue = email ? email.value.trim() : "";
      var key = text + "\n" + emailValue;
      if (text.length < MIN_CHARS) {
        if (controller) controller.abort();
        asked = null;
        render([]);
        announce("");
        return;
      }
      if (key === asked) {
        open();
        return;
      }
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      var url = new URL(texts.source, window.location.href);
      url.searchParams.set("q", text);
      if (email) url.searchParams.set("email", emailValue);
      fetch(url.toString(), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined,
      })
        .then(function (response) {
          return response.json().then(function (body) {
            return { ok: response.ok, body: body };
          });
        })
        .then(function (answer) {
          if (!answer.ok || !Array.isArray(answer.body)) {
            asked = null;
            render([]);
            announce((answer.body && answer.body.error) || texts.failed);
            return;
          }
          asked = key;
          render(answer.body);
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") return;
          asked = null;
          render([]);
          announce(texts.failed);
        });
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(search, DEBOUNCE_MS);
    }

    input.addEventListener("input", function () {
      hidden.value = ""; // the text no longer names the chosen unit
      showChosen("");
      uncheckRadios();
      later();
    });

    input.addEventListener("keydown", function (event) {
      var shown = !listbox.hidden;
      switch (event.key) {
        case "ArrowDown":
        case "ArrowUp":
          event.preventDefault();
          if (!options.length || !shown) {
            if (options.length && asked !== null) {
              open();
              setActive(event.key === "ArrowDown" ? 0 : options.length - 1);
            } else {
              clearTimeout(timer);
              search();
            }
            return;
          }
          if (event.altKey) return; // Alt+Down opens only
          var step = event.key === "ArrowDown" ? 1 : -1;
          var next = active < 0 ? (step > 0 ? 0 : options.length - 1) : active + step;
          if (next < 0) next = options.length - 1; // wraps round, as the APG example does
          if (next >= options.length) next = 0;
          setActive(next);
          break;
        case "Home":
        case "End":
          if (!shown || active < 0) return; // in the text: the caret moves, as usual
          event.preventDefault();
          setActive(event.key === "Home" ? 0 : options.length - 1);
          break;
        case "Enter":
          if (shown && active >= 0) {
            event.preventDefault(); // choose, do not send the form yet
            choose(options[active]);
          }
          break;
        case "Escape":
          if (shown) {
            event.preventDefault();
            close();
          } else if (input.value) {
            event.preventDefault();
            input.value = "";
            hidden.value = "";
            showChosen("");
            announce("");
          }
          break;
        case "Tab":
          close();
          break;
        default:
      }
    });

    // Mouse and touch: pressing an option keeps the focus in the input; the click chooses.
    listbox.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    listbox.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) {
        choose(option);
        input.focus();
      }
    });
    input.addEventListener("blur", function () {
      close();
    });
    input.addEventListener("click", function () {
      if (listbox.hidden && options.length) open();
    });

    // The server's radio buttons (typed text that matched several) choose as well.
    root.addEventListener("change", function (event) {
      var radio = event.target;
      if (radio.type !== "radio" || !radio.checked) return;
      hidden.value = radio.value;
      input.value = radio.dataset.label;
      showChosen(radio.dataset.detail);
    });

    if (email) {
      email.addEventListener("change", function () {
        asked = null;
        hidden.value = ""; // another organisation's units, perhaps
        showChosen("");
        if (query().length >= MIN_CHARS) search();
      });
    }
  }

  document.querySelectorAll("[data-unit-picker]").forEach(setUp);
})();
