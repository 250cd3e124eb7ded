/* Searchable selects for large relations (see app/views/lookup.py): in
   forms, and in a list's search filters, which FAB adds to the page as the
   user picks them. A filter taken from the URL gets its label from
   /lookup/<kind>?id=N. */
(function ($) {
  function urlValue(name) {
    var params = new URLSearchParams(window.location.search);
    return name ? params.get(name) : null;
  }

  function activate(el) {
    if (el.data("q-lookup-ready")) { return; }
    el.data("q-lookup-ready", true);
    var url = el.data("url");
    var wanted = el.val() || urlValue(el.attr("name"));
    if (wanted && !el.find('option[value="' + wanted + '"]').length) {
      $.getJSON(url, {id: wanted}, function (data) {
        (data.results || []).forEach(function (r) {
          el.append(new Option(r.text, r.id, true, true)).trigger("change");
        });
      });
    }
    el.select2({
      theme: "bootstrap",
      allowClear: true,
      width: "100%",
      placeholder: el.data("placeholder"),
      ajax: {
        url: url,
        dataType: "json",
        delay: 250,
        data: function (params) { return {q: params.term || "", page: params.page || 1}; }
      }
    });
  }

  function activateAll(root) {
    $(root).find("select.q-lookup").each(function () { activate($(this)); });
  }

  $(function () {
    activateAll(document);
    var filters = document.querySelector("#filter_form .filters");
    if (filters && window.MutationObserver) {
      new MutationObserver(function () { activateAll(filters); })
        .observe(filters, {childList: true, subtree: true});
    }
  });
})(jQuery);

/* The navbar's global search: "/" puts the focus in it from anywhere but a
   field being typed in (as in GitHub, Zammad, Odoo). */
document.addEventListener("keydown", function (ev) {
  if (ev.key !== "/" || ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
  var t = ev.target, tag = (t && t.tagName || "").toLowerCase();
  if (tag === "input" || tag === "textarea" || tag === "select" || (t && t.isContentEditable)) { return; }
  var box = document.getElementById("q-global-search");
  if (box) { ev.preventDefault(); box.focus(); box.select(); }
});

/* ---- lists: a cell cut with "…" (qabyldau.css, lists) tells its whole
   text on hover. ---- */
(function () {
  function titleCutCells() {
    var cells = document.querySelectorAll(".qab-list td");
    for (var i = 0; i < cells.length; i++) {
      var td = cells[i];
      if (td.scrollWidth > td.clientWidth + 1) {
        if (!td.hasAttribute("title")) {
          td.setAttribute("title", td.textContent.replace(/\s+/g, " ").trim());
          td.setAttribute("data-qab-cut", "");
        }
      } else if (td.hasAttribute("data-qab-cut")) {
        td.removeAttribute("title");
        td.removeAttribute("data-qab-cut");
      }
    }
  }
  var timer = null;
  document.addEventListener("DOMContentLoaded", titleCutCells);
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(titleCutCells, 150);
  });
})();

/* ---- accessibility: every select2 box (FAB's and the lookups above) is
   named after its field's label, for screen readers and axe-core. select2
   4.0 hides the <select> its label points to and draws a combobox and a
   read-only textbox of its own, both unnamed; its search field too. ---- */
(function ($) {
  function labelOf(select) {
    var label = select.id && document.querySelector('label[for="' + CSS.escape(select.id) + '"]');
    if (label && label.textContent.trim()) {
      if (!label.id) { label.id = select.id + "-label"; }
      return {id: label.id, text: label.textContent.replace(/\*/g, "").replace(/\s+/g, " ").trim()};
    }
    var text = (select.getAttribute("aria-label") || select.getAttribute("title") || "").trim();
    return text ? {id: null, text: text} : null;
  }

  function name(select) {
    var box = select.nextElementSibling;
    if (!box || !box.classList.contains("select2")) { return; }
    var label = labelOf(select);
    if (!label) { return; }
    box.querySelectorAll(".select2-selection").forEach(function (combo) {
      var rendered = combo.querySelector(".select2-selection__rendered");
      if (label.id) {
        combo.setAttribute("aria-labelledby", label.id + (rendered && rendered.id ? " " + rendered.id : ""));
      } else {
        combo.removeAttribute("aria-labelledby");
        combo.setAttribute("aria-label", label.text);
      }
      if (rendered) { rendered.setAttribute("aria-label", label.text); }
    });
    // select2's "×" (clear) is a mouse target inside the name: not read out.
    box.querySelectorAll(".select2-selection__clear").forEach(function (x) {
      x.setAttribute("aria-hidden", "true");
    });
    box.querySelectorAll(".select2-search__field").forEach(function (field) {
      field.setAttribute("aria-label", label.text);
    });
  }

  function nameAll() {
    document.querySelectorAll("select.select2-hidden-accessible").forEach(name);
  }

  $(function () {
    nameAll();
    if (window.MutationObserver) {
      var pending = null;
      new MutationObserver(function () {
        if (pending) { return; }
        pending = setTimeout(function () { pending = null; nameAll(); }, 0);
      }).observe(document.body, {childList: true, subtree: true});
    }
    // The dropdown's search field belongs to the box that opened it.
    $(document).on("select2:open", function (ev) {
      var label = labelOf(ev.target);
      if (!label) { return; }
      document.querySelectorAll(".select2-container--open .select2-search__field").forEach(function (field) {
        field.setAttribute("aria-label", label.text);
      });
    });
  });
})(jQuery);

/* ---- the appeal form: as the applicant and the topic are chosen, the
   applicant's other appeals (those on the same topic first) are shown
   under the question (app/services/repeats.py), so that a question already
   decided is seen before it is registered again. ---- */
(function ($) {
  $(function () {
    var box = document.getElementById("q-repeats");
    if (!box) { return; }
    var applicant = $("#applicant"), category = $("#category"), substance = $("#substance");
    var anchor = category.closest("table");
    if (anchor.length) { anchor.after(box); }
    var last = null, timer = null;
    function refresh() {
      var a = applicant.val() || "", c = category.val() || "", t = (substance.val() || "").trim();
      if (t.length < 20) { t = ""; }  /* the similar appeals need a sentence to compare */
      var key = a + "/" + c + "/" + t;
      if (key === last) { return; }
      last = key;
      if (!a && !(c && t)) { box.innerHTML = ""; return; }
      $.get(box.getAttribute("data-url"), {applicant: a, category: c, substance: t}, function (html) {
        if (last === key) { box.innerHTML = html; }
      }, "html");
    }
    applicant.on("change", refresh);
    category.on("change", refresh);
    substance.on("input", function () { clearTimeout(timer); timer = setTimeout(refresh, 600); });
    refresh();
  });
})(jQuery);

/* ---- the appeal page: the similar earlier appeals and the links
   (app/services/similar.py) arrive once the page is shown, so the page
   never waits for the text search. ---- */
(function () {
  var slot = document.getElementById("similar-slot");
  if (!slot || !window.fetch) { return; }
  fetch(slot.getAttribute("data-url"), {credentials: "same-origin", headers: {"X-Requested-With": "fetch"}})
    .then(function (r) { return r.ok ? r.text() : ""; })
    .then(function (html) { slot.innerHTML = html; slot.setAttribute("data-loaded", "1"); })
    .catch(function () { slot.setAttribute("data-loaded", "1"); });
})();

/* ---- the navbar search suggests as the user types (/search/suggest: the
   same search, scope and privacy rule as the results page). The ARIA 1.2
   combobox pattern: arrows move through the options, Enter opens the one
   chosen (or the results page), Escape closes the list. ---- */
(function () {
  var box = document.getElementById("q-global-search");
  var list = document.getElementById("q-suggest");
  if (!box || !list) { return; }
  var timer = null, active = -1, asked = "";
  function options() { return list.querySelectorAll("[role=option]"); }
  function close() {
    list.hidden = true; list.innerHTML = ""; active = -1;
    box.setAttribute("aria-expanded", "false"); box.removeAttribute("aria-activedescendant");
  }
  function mark(i) {
    var opts = options();
    if (!opts.length) { return; }
    active = (i + opts.length) % opts.length;
    for (var k = 0; k < opts.length; k++) { opts[k].setAttribute("aria-selected", k === active ? "true" : "false"); }
    box.setAttribute("aria-activedescendant", opts[active].id);
    opts[active].scrollIntoView({block: "nearest"});
  }
  function show(items) {
    list.innerHTML = "";
    items.forEach(function (it, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = "q-suggest-" + i;
      li.setAttribute("aria-selected", "false");
      li.setAttribute("data-url", it.url);
      if (it.kind) {
        var kind = document.createElement("span");
        kind.className = "q-suggest-kind";
        kind.textContent = it.kind;
        li.appendChild(kind);
      }
      var text = document.createElement("span");
      text.className = "q-suggest-label";
      text.textContent = it.label;
      li.appendChild(text);
      if (it.hint) {
        var hint = document.createElement("span");
        hint.className = "q-suggest-hint";
        hint.textContent = it.hint;
        li.appendChild(hint);
      }
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); window.location = it.url; });
      list.appendChild(li);
    });
    var any = items.length > 0;
    list.hidden = !any;
    box.setAttribute("aria-expanded", any ? "true" : "false");
    active = -1;
  }
  function ask() {
    var q = box.value.trim();
    if (q === asked) { return; }
    asked = q;
    if (q.length < 2) { close(); return; }
    fetch(list.getAttribute("data-url") + "?q=" + encodeURIComponent(q), {credentials: "same-origin",
          headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : {items: []}; })
      .then(function (data) { if (asked === q) { show(data.items || []); } })
      .catch(function () { close(); });
  }
  box.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 200); });
  box.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown") { ev.preventDefault(); if (list.hidden) { asked = ""; ask(); } else { mark(active + 1); } }
    else if (ev.key === "ArrowUp") { ev.preventDefault(); mark(active - 1); }
    else if (ev.key === "Escape") { close(); }
    else if (ev.key === "Enter" && active >= 0) {
      ev.preventDefault();
      window.location = options()[active].getAttribute("data-url");
    }
  });
  box.addEventListener("blur", function () { setTimeout(close, 150); });
})();

/* ---- the appeal form: topic suggestion (app/services/topic_suggest.py).
   As the substance is typed (debounced), up to three topics with their
   confidence appear under the topic field as buttons; a click chooses that
   topic. Nothing is ever chosen for the clerk; no model, nothing shown. ---- */
(function ($) {
  $(function () {
    var box = document.getElementById("q-topics");
    var substance = document.getElementById("substance");
    if (!box || !substance) { return; }
    var category = $("#category"), language = $("#language");
    var cell = category.closest("td");
    if (cell.length) { cell.append(box); }
    var timer = null, asked = "";
    function render(items) {
      box.innerHTML = "";
      if (!items.length) { box.hidden = true; return; }
      var head = document.createElement("span");
      head.className = "q-topics-heading";
      head.textContent = box.getAttribute("data-heading");
      box.appendChild(head);
      items.forEach(function (it) {
        var pct = Math.round(100 * it.confidence) + " %";
        var b = document.createElement("button");
        b.type = "button";
        b.className = "btn btn-default btn-xs q-topic-chip";
        b.setAttribute("data-id", it.id);
        b.setAttribute("aria-label", box.getAttribute("data-choose").replace("{name}", it.code + " " + it.name)
          .replace("{pct}", pct));
        b.textContent = it.code + " " + it.name + " · " + pct;
        b.addEventListener("click", function () {
          if (!category.find('option[value="' + it.id + '"]').length) {
            category.append(new Option(it.code + " " + it.name, it.id, false, false));
          }
          category.val(String(it.id)).trigger("change");
          box.querySelectorAll(".q-topic-chip").forEach(function (x) {
            x.setAttribute("aria-pressed", x === b ? "true" : "false");
          });
        });
        box.appendChild(b);
      });
      box.hidden = false;
    }
    function ask() {
      var text = substance.value.trim(), lang = language.val() || "";
      var key = lang + "\u0001" + text;
      if (key === asked) { return; }
      asked = key;
      if (text.length < 8) { render([]); return; }
      var body = new URLSearchParams({text: text.slice(0, 2000), language: lang});
      fetch(box.getAttribute("data-url") + "?" + body.toString(), {credentials: "same-origin",
            headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : {items: []}; })
        .then(function (data) { if (asked === key) { render(data.items || []); } })
        .catch(function () { render([]); });
    }
    function later() { clearTimeout(timer); timer = setTimeout(ask, 400); }
    substance.addEventListener("input", later);
    language.on("change", later);
    ask();
  });
})(jQuery);
