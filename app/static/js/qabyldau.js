/* Searchable selects for large relations (see app/views/lookup.py). */
$(function () {
  $("select.q-lookup").each(function () {
    var el = $(this);
    el.select2({
      theme: "bootstrap",
      allowClear: true,
      placeholder: el.data("placeholder"),
      ajax: {
        url: el.data("url"),
        dataType: "json",
        delay: 250,
        data: function (params) { return {q: params.term || "", page: params.page || 1}; }
      }
    });
  });
});
