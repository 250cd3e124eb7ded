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
