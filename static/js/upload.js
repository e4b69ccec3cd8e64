// Recording uploads in the studio: tus-js-client does the resumable protocol;
// this file only draws the queue (progress, speed, time left, pause/resume)
// and refreshes the recordings list when a file has been accepted (jobs.js then
// follows its jobs live). A finished upload keeps its line, without the Pause button.
import { timeLeft } from "./time.js";

(function () {
  "use strict";

  var root = document.querySelector("[data-upload]");
  if (!root || !window.tus || !window.tus.isSupported) {
    return; // the <noscript> note explains the alternatives
  }
  root.hidden = false;

  var endpoint = root.dataset.endpoint;
  var panelId = root.dataset.panelId;
  var csrfToken = root.dataset.csrfToken;
  var input = root.querySelector("input[type=file]");
  var zone = root.querySelector("[data-dropzone]");
  var queue = root.querySelector("[data-upload-queue]");
  var failed = [];

  input.addEventListener("change", function () {
    addFiles(input.files);
    input.value = "";
  });
  zone.addEventListener("dragover", function (event) {
    event.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", function () {
    zone.classList.remove("dragging");
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    zone.classList.remove("dragging");
    addFiles(event.dataTransfer.files);
  });
  // Back online: restart uploads that ran out of automatic retries.
  window.addEventListener("online", function () {
    failed.splice(0).forEach(function (entry) { entry.resume(); });
  });

  function addFiles(files) {
    Array.prototype.forEach.call(files, startUpload);
  }

  function startUpload(file) {
    var item = makeItem(file);
    var meter = { time: Date.now(), bytes: 0, speed: 0 };
    var running = false;

    var upload = new window.tus.Upload(file, {
      endpoint: endpoint,
      // Each chunk is a PATCH the server fsyncs before answering: at most
      // one chunk is re-sent after a crash, and proxies never see huge bodies.
      chunkSize: 64 * 1024 * 1024,
      retryDelays: [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000],
      metadata: { filename: file.name, filetype: file.type, panel: panelId },
      headers: { "X-CSRFToken": csrfToken },
      removeFingerprintOnSuccess: true,
      // The panel is part of the key, so the same file sent to two panels
      // never resumes the other panel's upload.
      fingerprint: function (f) {
        return Promise.resolve(["eventsite", endpoint, panelId, f.name, f.type, f.size, f.lastModified].join("/"));
      },
      onProgress: function (sent, total) {
        showProgress(item, sent, total, meter);
        if (sent === total) {
          item.status.textContent = "100 % · checking the file…";
        }
      },
      onError: function (error) {
        running = false;
        var response = error.originalResponse;
        var message = response && response.getBody() ? response.getBody() : "The upload stopped: " + error.message;
        item.error.textContent = message;
        item.button.textContent = "Retry";
        // A refused file (422) will not get better by retrying.
        if (response && response.getStatus() === 422) {
          item.button.hidden = true;
          item.status.textContent = "Not accepted";
        } else {
          failed.push({ resume: resume });
        }
      },
      onSuccess: function () {
        running = false;
        item.bar.value = 100;
        item.status.textContent = "100 % · done";
        item.button.hidden = true;
        refreshList();
      },
    });

    function resume() {
      item.error.textContent = "";
      item.button.textContent = "Pause";
      running = true;
      meter.time = Date.now();
      upload.start();
    }

    item.button.addEventListener("click", function () {
      if (running) {
        running = false;
        upload.abort();
        item.button.textContent = "Resume";
        item.status.textContent += " · paused";
      } else {
        resume();
      }
    });

    upload.findPreviousUploads().then(function (previous) {
      if (previous.length) {
        upload.resumeFromPreviousUpload(previous[0]);
        item.note.textContent = "Resuming an earlier upload of this file.";
      }
      resume();
    });
  }

  function makeItem(file) {
    var li = document.createElement("li");
    var name = document.createElement("span");
    name.className = "upload-name";
    name.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", "Upload of " + file.name);
    var status = document.createElement("span");
    status.className = "upload-status";
    status.setAttribute("role", "status");
    status.textContent = "0 %";
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = "Pause";
    var note = document.createElement("span");
    note.className = "upload-note";
    var error = document.createElement("p");
    error.className = "errors";
    error.setAttribute("role", "alert");
    li.append(name, bar, status, note, button, error);
    queue.append(li);
    return { bar: bar, status: status, note: note, button: button, error: error };
  }

  function showProgress(item, sent, total, meter) {
    var now = Date.now();
    var seconds = (now - meter.time) / 1000;
    if (seconds >= 0.5) {
      var current = (sent - meter.bytes) / seconds;
      // Smooth the speed: Wi-Fi throughput jumps around from second to second.
      meter.speed = meter.speed ? 0.7 * meter.speed + 0.3 * current : current;
      meter.time = now;
      meter.bytes = sent;
    } else if (!meter.bytes) {
      meter.bytes = sent;
    }
    var percent = total ? Math.floor((sent / total) * 100) : 0;
    item.bar.value = percent;
    var parts = [percent + " %"];
    if (meter.speed > 0) {
      parts.push(formatBytes(meter.speed) + "/s");
      parts.push(timeLeft((total - sent) / meter.speed) + " left");
    }
    item.status.textContent = parts.join(" · ");
  }

  function formatBytes(bytes) {
    var units = ["B", "kB", "MB", "GB"];
    var i = 0;
    while (bytes >= 1000 && i < units.length - 1) {
      bytes /= 1000;
      i += 1;
    }
    return bytes.toFixed(i ? 1 : 0) + " " + units[i];
  }


  function refreshList() {
    var list = document.getElementById("recording-list");
    fetch(list.dataset.recordingsUrl, { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("recording-list");
        if (fresh) list.replaceWith(fresh);
        // static/js/jobs.js follows the new recording's jobs from here to the last one
        document.dispatchEvent(new CustomEvent("recordings:changed"));
      });
  }
})();
