// Live progress on a run's page: while the run sends, read its figures every two seconds and show them in place.
(function () {
  "use strict";
  var section = document.getElementById("progress");
  if (!section || section.dataset.status !== "sending") return;
  var id = section.dataset.run;
  var percent = new Intl.NumberFormat("en-GB", { style: "percent" });
  function set(name, text) { var el = document.getElementById(name); if (el) el.textContent = text; }
  function eta(seconds) {
    if (seconds === null) return "—";
    var s = Math.round(seconds), h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), r = s % 60;
    return [h, m, r].map(function (n) { return String(n).padStart(2, "0"); }).join(":");
  }
  function poll() {
    fetch("/api/runs/" + encodeURIComponent(id), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then(function (run) {
        document.getElementById("done").value = run.done;
        set("percent", percent.format(run.done));
        set("status", run.status);
        set("sent", run.sent + " of " + run.total);
        set("failed", String(run.failed));
        set("retrying", String(run.retrying));
        set("pending", String(run.pending));
        set("skipped", String(run.skipped));
        set("no-match", String(run.noMatch));
        set("rate", run.messagesPerSecond.toFixed(1).replace(/\.0$/, "") + " messages/s");
        set("eta", eta(run.etaSeconds));
        section.dataset.status = run.status;
        if (run.status === "sending") setTimeout(poll, 2000);
        else if (run.failed > 0) location.reload(); // the failures table and the resend button follow the final figures
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 2000);
})();
