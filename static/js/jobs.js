// Keep each recording's transcode state live in the studio: poll its status
// while a job is queued or running, then reload once so the rendition list
// and buttons match the final state.
(function () {
  "use strict";
  function describe(job) {
    if (job.status !== "running") return "";
    var parts = [(job.progress * 100).toFixed(1) + " %"];
    if (job.speed) parts.push(job.speed.toFixed(2) + "× real time");
    if (job.eta_seconds) parts.push("about " + Math.round(job.eta_seconds) + " s left");
    return " " + parts.join(" · ");
  }
  function watch(box) {
    var url = box.dataset.statusUrl;
    var timer = setInterval(function () {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (state) {
          var job = state.job;
          if (!job) return;
          var bar = box.querySelector(".job-progress");
          if (bar) bar.value = job.progress;
          var status = box.querySelector(".job-status");
          if (status) status.textContent = job.status;
          var detail = box.querySelector(".job-detail");
          if (detail) detail.textContent = describe(job);
          if (!job.active) { clearInterval(timer); window.location.reload(); }
        })
        .catch(function () { /* a missed poll is fine; the next one tries again */ });
    }, 1500);
  }
  document.querySelectorAll('.job[data-active="true"]').forEach(watch);
})();
