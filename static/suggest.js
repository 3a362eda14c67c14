// Search as you type, on top of search forms that work without it.
//
//   <input type="search" name="q" data-suggest>
//
// Each such box becomes an ARIA combobox (the WAI-ARIA 1.2 "list
// autocomplete" pattern): while one types, the first eight hits of
// /api/search?q=...&limit=8 are shown in a listbox under the box. Arrow keys
// move through them (the box keeps focus and names the active option with
// aria-activedescendant), Enter opens the active one, Escape closes the
// list, and a polite live region says how many there are. Enter with no
// active option submits the form as before. Requests wait for a pause in
// typing and a newer one cancels the older, so a slow answer never
// overwrites a newer list.
//
// Anywhere on the page, "/" (outside a text field) moves focus to search:
// the search page's own box when there is one, else the header's.
(function () {
  "use strict";

  var debounceMS = 120;
  var limit = 8;
  var minLength = 2;

  var boxes = document.querySelectorAll("input[data-suggest]");
  Array.prototype.forEach.call(boxes, combobox);
  document.addEventListener("keydown", slashFocus);

  function slashFocus(e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) {
      return;
    }
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) {
      return;
    }
    var box = document.querySelector("main input[data-suggest]") || document.querySelector("input[data-suggest]");
    if (box) {
      e.preventDefault();
      box.focus();
      box.select();
    }
  }

  function combobox(box, n) {
    var form = box.form;
    if (!form || !window.fetch || !window.AbortController) {
      return;
    }
    var id = "suggest-" + n;
    var list = document.createElement("ul");
    list.id = id;
    list.className = "suggest";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.setAttribute("data-testid", "suggest-list");
    list.hidden = true;
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    status.setAttribute("data-testid", "suggest-status");
    form.classList.add("suggest-host");
    box.insertAdjacentElement("afterend", list);
    form.appendChild(status);

    box.setAttribute("role", "combobox");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-expanded", "false");
    box.setAttribute("aria-controls", id);
    box.setAttribute("autocomplete", "off");

    var timer = 0;
    var pending = null; // the AbortController of the request in flight
    var active = -1;
    var shownFor = null; // the query the list shows

    box.addEventListener("input", function () {
      window.clearTimeout(timer);
      var q = box.value.trim();
      if (q.length < minLength) {
        cancel();
        close();
        return;
      }
      timer = window.setTimeout(function () { fetchHits(q); }, debounceMS);
    });

    box.addEventListener("keydown", function (e) {
      var open = !list.hidden;
      switch (e.key) {
      case "ArrowDown":
        if (!open && list.children.length > 0 && shownFor === box.value.trim()) {
          show();
        }
        move(1);
        e.preventDefault();
        break;
      case "ArrowUp":
        move(-1);
        e.preventDefault();
        break;
      case "Enter":
        if (open && active >= 0) {
          e.preventDefault();
          go(list.children[active]);
        }
        break;
      case "Escape":
        if (open) {
          e.preventDefault();
          close();
        }
        break;
      case "Tab":
        close();
        break;
      }
    });

    box.addEventListener("blur", function () {
      // A click on an option lands after blur: let it through first.
      window.setTimeout(close, 150);
    });
    box.addEventListener("focus", function () {
      if (shownFor !== null && shownFor === box.value.trim() && list.children.length > 0) {
        show();
      }
    });
    // Keep focus in the box while an option is clicked, so the click
    // follows the option's link and the list does not vanish under it.
    list.addEventListener("mousedown", function (e) { e.preventDefault(); });
    list.addEventListener("click", function (e) {
      var li = e.target.closest ? e.target.closest("[role=option]") : null;
      if (li) {
        go(li);
      }
    });

    function go(option) {
      close();
      window.location.assign(option.getAttribute("data-href"));
    }

    function cancel() {
      if (pending) {
        pending.abort();
        pending = null;
      }
    }

    function fetchHits(q) {
      cancel();
      var ctl = new AbortController();
      pending = ctl;
      var params = new URLSearchParams();
      params.set("q", q);
      params.set("limit", String(limit));
      ["topic", "system", "kind"].forEach(function (name) {
        var f = form.elements.namedItem(name);
        if (f && f.type === "hidden" && f.value) {
          params.set(name, f.value);
        }
      });
      fetch("/api/search?" + params.toString(), {signal: ctl.signal, headers: {Accept: "application/json"}})
        .then(function (res) {
          if (!res.ok) {
            throw new Error("search answered " + res.status);
          }
          return res.json();
        })
        .then(function (data) {
          if (pending !== ctl || box.value.trim() !== q) {
            return; // a newer query owns the list
          }
          pending = null;
          render(q, data);
        })
        .catch(function () {
          if (pending === ctl) {
            pending = null;
            close();
          }
        });
    }

    function render(q, data) {
      list.textContent = "";
      active = -1;
      box.removeAttribute("aria-activedescendant");
      shownFor = q;
      list.setAttribute("data-for", q);
      var hits = data.hits || [];
      hits.forEach(function (h, i) {
        var li = document.createElement("li");
        li.id = id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.setAttribute("data-testid", "suggest-option");
        // The option itself is what is chosen (an option holds no link:
        // interactive controls are not nested); data-href is where it goes.
        li.setAttribute("data-href", h.url);
        var title = document.createElement("span");
        title.className = "suggest-title";
        title.textContent = h.title;
        var what = document.createElement("span");
        what.className = "suggest-what";
        what.textContent = [h.label, h.heading && h.heading !== h.title && h.heading !== h.label ? h.heading : ""]
          .filter(Boolean).join(" \u00b7 ");
        li.appendChild(title);
        if (what.textContent) {
          li.appendChild(document.createTextNode(" "));
          li.appendChild(what);
        }
        list.appendChild(li);
      });
      var word = data.corrected ? " for \u201c" + data.suggestion + "\u201d" : "";
      if (hits.length === 0) {
        status.textContent = "No suggestions.";
        close();
        return;
      }
      status.textContent = hits.length + (hits.length === 1 ? " suggestion" : " suggestions") + word +
        ". Use the arrow keys to choose, Enter to open.";
      show();
    }

    function move(step) {
      var n = list.children.length;
      if (n === 0 || list.hidden) {
        return;
      }
      if (active >= 0) {
        list.children[active].setAttribute("aria-selected", "false");
      }
      active = active + step;
      if (active >= n) {
        active = 0;
      } else if (active < -1) {
        active = n - 1;
      }
      if (active === -1) {
        box.removeAttribute("aria-activedescendant");
        return;
      }
      var li = list.children[active];
      li.setAttribute("aria-selected", "true");
      box.setAttribute("aria-activedescendant", li.id);
      if (li.scrollIntoView) {
        li.scrollIntoView({block: "nearest"});
      }
    }

    function show() {
      list.hidden = false;
      box.setAttribute("aria-expanded", "true");
    }

    function close() {
      if (active >= 0 && list.children[active]) {
        list.children[active].setAttribute("aria-selected", "false");
      }
      active = -1;
      list.hidden = true;
      box.setAttribute("aria-expanded", "false");
      box.removeAttribute("aria-activedescendant");
    }
  }
})();
