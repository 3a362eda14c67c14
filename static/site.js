// Versa's only script: small conveniences on top of pages that work without it.
// Buttons are rendered hidden and shown here, so readers without JavaScript
// never see a control that does nothing.
//
//   <button type="button" data-copy-url="/compare/x/a-vs-b" hidden>Copy link</button>
//   <button type="button" data-copy-text="plain text" hidden>Copy</button>
//
// data-copy-url is resolved against the page, so relative links copy whole.
//
// The topic page's filter box ([data-topic-filter]) filters as one types,
// and its system picker says what is ticked and stops a "compare selected"
// of fewer than two systems on the page (the server answers one the same).
(function () {
  "use strict";
  filterTopic();
  reveal();
  window.addEventListener("hashchange", reveal);
  pickSystems();
  needNames();
  if (!navigator.clipboard) {
    return;
  }
  var buttons = document.querySelectorAll("[data-copy-url],[data-copy-text]");
  Array.prototype.forEach.call(buttons, function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = button.getAttribute("data-copy-text");
      var url = button.getAttribute("data-copy-url");
      if (url !== null) {
        text = new URL(url, window.location.href).href;
      }
      var label = button.textContent;
      navigator.clipboard.writeText(text).then(
        function () { flash(button, "Copied", label); },
        function () { flash(button, "Copy failed", label); }
      );
    });
  });

  // A row's "#" link still jumps to its row; with a clipboard it also
  // copies the row's full URL, ready to paste.
  var anchors = document.querySelectorAll('a[data-copy-anchor], table.compare th > a[href^="#"]');
  Array.prototype.forEach.call(anchors, function (a) {
    a.addEventListener("click", function () {
      navigator.clipboard.writeText(new URL(a.getAttribute("href"), window.location.href).href).catch(function () {});
    });
  });

  // filterTopic hides the topic page's rows and features that do not match
  // the filter box, as the server does for ?q= (every word of it in the
  // name or key, ignoring case), and keeps ?q= in the address, the forms'
  // hidden fields and the sort links, so the URL says what is on screen.
  // The page holds only what the server's filter kept: text that is not a
  // narrowing of it shows the server's view until Enter submits the form.
  // Hidden rows keep their ticks, so systems found by different filters
  // can be compared together.
  function filterTopic() {
    var box = document.querySelector("[data-topic-filter]");
    if (!box) {
      return;
    }
    var server = words(box.defaultValue);
    var status = document.getElementById("filter-status");
    var systems = Array.prototype.map.call(document.querySelectorAll("tr[data-system]"), function (tr) {
      var link = tr.querySelector("[data-testid=system-link]");
      return {el: [tr], text: (tr.getAttribute("data-system") + " " + (link ? link.textContent : "")).toLowerCase()};
    });
    var features = Array.prototype.map.call(document.querySelectorAll("dt[data-testid=feature]"), function (dt) {
      var name = dt.querySelector(".feature-name");
      var els = [dt];
      if (dt.nextElementSibling && dt.nextElementSibling.tagName === "DD") {
        els.push(dt.nextElementSibling);
      }
      return {el: els, text: (dt.id.replace(/^feature-/, "") + " " + (name ? name.textContent : "")).toLowerCase()};
    });
    var categories = document.querySelectorAll("[data-testid=feature-category],[data-testid=feature-node]");
    Array.prototype.forEach.call(categories, function (c) {
      c.setAttribute("data-was-open", c.open ? "1" : "");
    });
    box.addEventListener("input", function () {
      var typed = words(box.value);
      var narrows = server.every(function (w) {
        return typed.some(function (t) { return t.indexOf(w) >= 0; });
      });
      var q = narrows ? box.value.trim().replace(/\s+/g, " ") : box.defaultValue;
      var active = narrows ? typed : server;
      var shown = apply(systems, active);
      var matched = apply(features, active);
      Array.prototype.forEach.call(categories, function (c) {
        c.hidden = !c.querySelector("dt:not([hidden])");
        if (c.tagName === "DETAILS") {
          c.open = active.length > 0 || c.getAttribute("data-was-open") === "1";
        }
      });
      keep(q);
      if (!narrows) {
        status.textContent = "Press Enter to search all " + count(status.getAttribute("data-systems"), "system") + " and " +
          count(status.getAttribute("data-features"), "feature") + ".";
      } else if (active.length > 0) {
        status.textContent = shown + " of " + count(status.getAttribute("data-systems"), "system") + " and " +
          matched + " of " + count(status.getAttribute("data-features"), "feature") + " match \u201c" + q + "\u201d.";
      } else {
        status.textContent = "";
      }
    });
  }

  // reveal opens what folds the page's target: the <details> around it
  // (the topic page's trees of dotted keys, a folded category) and the fold
  // of a table's tree of rows (site.css already shows a targeted row; the
  // fold then says so too), and brings the target into view.
  function reveal() {
    var id = location.hash.slice(1);
    try {
      id = decodeURIComponent(id);
    } catch (e) {
      return;
    }
    var target = id && document.getElementById(id);
    if (!target) {
      return;
    }
    var opened = false;
    for (var el = target.parentElement; el; el = el.parentElement) {
      var fold = el;
      if (el.tagName === "TBODY" && el.classList.contains("tree") && el.rows.length > 0) {
        fold = el.rows[0].querySelector("th > details.fold");
      }
      if (fold && fold.tagName === "DETAILS" && !fold.open) {
        fold.open = true;
        opened = true;
      }
    }
    if (opened) {
      target.scrollIntoView();
    }
  }

  // pickSystems keeps the picker's status line up to date: how many
  // systems are ticked and which (rows hidden by the filter included), and
  // a hint instead of sending fewer than two.
  function pickSystems() {
    var form = document.querySelector("form[data-testid=compare-form]");
    var status = document.getElementById("pick-status");
    if (!form || !status) {
      return;
    }
    var ticked = function () {
      return Array.prototype.filter.call(form.querySelectorAll("input[name=system]"), function (box) {
        return box.checked;
      }).map(function (box) {
        var link = box.closest("tr").querySelector("[data-testid=system-link]");
        return link ? link.textContent : box.value;
      });
    };
    var say = function (text, hint) {
      status.textContent = text;
      status.classList.toggle("muted", !hint);
    };
    form.addEventListener("change", function () {
      var names = ticked();
      if (names.length === 0) {
        say("Tick two or more systems.", false);
      } else {
        say(count(String(names.length), "system") + " ticked: " + names.join(", ") + ".", false);
      }
    });
    form.addEventListener("submit", function (e) {
      var names = ticked();
      if (names.length < 2) {
        e.preventDefault();
        say(names.length === 1 ?
          "You ticked one system: tick at least one more to compare them side by side, or open its page from its name." :
          "Tick at least two systems to compare them side by side.", true);
      }
    });
  }

  // words splits filter text as the server does.
  function words(text) {
    return text.toLowerCase().split(/\s+/).filter(Boolean);
  }

  // apply hides the items whose (lower-case) text lacks a word, and returns
  // how many are left.
  function apply(items, ws) {
    var left = 0;
    items.forEach(function (item) {
      var ok = ws.every(function (w) { return item.text.indexOf(w) >= 0; });
      item.el.forEach(function (el) { el.hidden = !ok; });
      if (ok) {
        left++;
      }
    });
    return left;
  }

  // keep puts q in the address bar, the forms and the links of the view.
  function keep(q) {
    history.replaceState(history.state, "", withFilter(location.pathname + location.search, q) + location.hash);
    Array.prototype.forEach.call(document.querySelectorAll("[data-filter-field]"), function (input) {
      input.value = q;
      input.disabled = q === "";
    });
    Array.prototype.forEach.call(document.querySelectorAll("a[data-filter-link]"), function (a) {
      a.setAttribute("href", withFilter(a.getAttribute("href"), q));
    });
  }

  // withFilter sets the q parameter of a path and query, last and escaped
  // as the server writes it, so the result is the canonical URL.
  function withFilter(target, q) {
    var i = target.indexOf("?");
    var path = i < 0 ? target : target.slice(0, i);
    var params = i < 0 ? [] : target.slice(i + 1).split("&").filter(function (p) {
      return p !== "" && p.split("=")[0] !== "q";
    });
    if (q !== "") {
      params.push("q=" + encodeURIComponent(q).replace(/[!'()*]/g, function (c) {
        return "%" + c.charCodeAt(0).toString(16).toUpperCase();
      }).replace(/%20/g, "+"));
    }
    return params.length ? path + "?" + params.join("&") : path;
  }

  // needNames gives the compare page's "Add a need" box the names of the
  // table's rows that are not needs yet, to pick from as one types. The
  // box takes a typed name without it; the page sends no list of its own,
  // as the table already names every row.
  function needNames() {
    var box = document.querySelector("input[data-need-names]");
    if (!box) {
      return;
    }
    var list = document.createElement("datalist");
    list.id = "need-names";
    var seen = {};
    var links = document.querySelectorAll('table.compare tr[id]:not(.needed) > th > a:not([href^="#"])');
    Array.prototype.forEach.call(links, function (a) {
      var name = a.textContent;
      if (!seen[name]) {
        seen[name] = true;
        var option = document.createElement("option");
        option.value = name;
        list.appendChild(option);
      }
    });
    box.parentNode.appendChild(list);
    box.setAttribute("list", list.id);
  }

  function count(n, noun) {
    return n + " " + (n === "1" ? noun : noun + "s");
  }

  function flash(button, message, label) {
    button.textContent = message;
    button.disabled = true;
    window.setTimeout(function () {
      button.textContent = label;
      button.disabled = false;
    }, 1500);
  }
})();
