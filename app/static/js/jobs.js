/* Live progress of running jobs: poll /jobs/status until every job ends. */
(function () {
  var table = document.getElementById("jobs");
  var labels = table ? JSON.parse(table.dataset.statusLabels || "{}") : {};
  function running() {
    return Array.prototype.filter.call(document.querySelectorAll("tr[data-job]"), function (tr) {
      return tr.dataset.status === "queued" || tr.dataset.status === "running";
    });
  }
  function poll() {
    var rows = running();
    if (!rows.length) { return; }
    var ids = rows.map(function (tr) { return tr.dataset.job; }).join(",");
    fetch("/jobs/status?ids=" + encodeURIComponent(ids), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var done = false;
        rows.forEach(function (tr) {
          var j = data[tr.dataset.job];
          if (!j) { return; }
          var bar = tr.querySelector(".progress-bar");
          bar.style.width = j.progress + "%";
          bar.textContent = j.progress + " %";
          tr.dataset.status = j.status;
          tr.querySelector(".job-status").textContent = labels[j.status] || j.status;
          if (j.status === "finished" || j.status === "failed") { done = true; }
        });
        if (done) { window.location.reload(); } else { setTimeout(poll, 1500); }
      });
  }
  setTimeout(poll, 1000);
})();
