// Keep every job of each recording live in the studio (transcode, birds, captions,
// alignment): poll the recording's status while any of its jobs is queued or running,
// update the lines in place, and redraw the recordings list (static/js/upload.js's
// fragment) when a job ends or the next one starts, so renditions, notes and buttons
// match. The pipeline queues the next job a moment after the last one ends: polling
// stops only after two quiet answers in a row. A list redrawn by an upload is watched
// too (upload.js sends "recordings:changed").
import { timeLeft } from "./time.js";

(function () {
  "use strict";
  var INTERVAL = 1500;
  var watching = {};

  function describe(job) {
    if (job.status !== "running") return "";
    var parts = [(job.progress * 100).toFixed(1) + " %"];
    // a running job's notes say what is already done: "Watchable now (quick)…"
    if (job.notes && job.notes.length) parts.unshift(job.notes.join(" "));
    if (job.speed) parts.push(job.speed.toFixed(2) + "× real time");
    if (job.eta_seconds) parts.push("about " + timeLeft(job.eta_seconds) + " left");
    return " " + parts.join(" · ");
  }

  function signature(jobs) {
    // a note on a running job (the quick set went live) redraws the list too, so its renditions show
    return jobs.map(function (job) {
      return job.id + ":" + job.status + (job.status === "running" && job.notes ? ":noted" : "");
    }).join(",");
  }

  function boxFor(url) {
    return document.querySelector('.job[data-status-url="' + url + '"]');
  }

  function show(box, jobs) {
    jobs.forEach(function (job) {
      var step = box.querySelector('[data-job-id="' + job.id + '"]');
      if (!step) return;
      var bar = step.querySelector(".job-progress");
      if (bar) bar.value = job.progress;
      step.querySelector(".job-status").textContent = job.outcome || job.status;
      step.querySelector(".job-detail").textContent = describe(job);
    });
  }

  /** Fetch the recordings list again and put it in place; then watch what it shows. */
  function redraw() {
    var list = document.getElementById("recording-list");
    if (!list) return Promise.resolve();
    return fetch(list.dataset.recordingsUrl, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("recording-list");
        var current = document.getElementById("recording-list");
        if (fresh && current) current.replaceWith(fresh);
        watchAll();
      });
  }

  function watch(url) {
    if (watching[url]) return;
    watching[url] = true;
    var quiet = 0;
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (state) {
          var box = boxFor(url);
          if (!box) { watching[url] = false; return; }
          var jobs = state.jobs || [];
          show(box, jobs);
          quiet = state.active ? 0 : quiet + 1;
          var changed = signature(jobs) !== box.dataset.signature;
          if (quiet >= 2) {
            watching[url] = false;
            if (changed) redraw();
            return;
          }
          if (changed) {
            // the list comes back with this recording's new state; keep polling it
            redraw();
          }
          setTimeout(poll, INTERVAL);
        })
        .catch(function () { setTimeout(poll, INTERVAL * 2); /* a missed poll is fine */ });
    }
    setTimeout(poll, INTERVAL);
  }

  function watchAll() {
    document.querySelectorAll('.job[data-active="true"]').forEach(function (box) {
      watch(box.dataset.statusUrl);
    });
  }

  document.addEventListener("recordings:changed", watchAll);
  watchAll();
})();
