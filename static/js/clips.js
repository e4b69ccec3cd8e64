import { clock } from "./time.js";

/* "Make a clip": selecting words in the transcript fills the clip's start and end.
 *
 * The form works without this script (times typed by hand, prefilled from
 * ?t=). With it, a text selection across transcript cues sets the start to
 * the first cue's start and the end to the last cue's end, shows the quote,
 * and says how long it is; "Start/End at the player's time" read
 * window.eventsitePlayer (static/js/player.js). On a clip that is still
 * rendering, it polls /clips/<id>/status.json and reloads when it is done.
 */
(function start() {
  "use strict";
  // Loaded async, so it never holds DOMContentLoaded: wait for the rest of the page if it is
  // still being parsed.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start, { once: true });
    return;
  }

  /* The clip page while it renders: poll its status, move the bar, show the clip when done. */
  var poll = document.querySelector("[data-clip-poll]");
  if (poll) {
    var bar = poll.querySelector("progress");
    var check = function () {
      fetch(poll.dataset.clipPoll, { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (state) {
          if (!state || state.status === "ready" || state.status === "failed") {
            window.location.reload();
            return;
          }
          if (bar) { bar.value = Math.round(state.progress * 100); bar.textContent = bar.value + "%"; }
          setTimeout(check, 2000);
        })
        .catch(function () { setTimeout(check, 5000); });
    };
    setTimeout(check, 2000);
  }

  var form = document.querySelector("[data-clip-form]");
  if (!form) return;
  var startInput = form.querySelector("[data-clip-start]");
  var endInput = form.querySelector("[data-clip-end]");
  var quote = form.querySelector("[data-clip-quote]");
  var status = form.querySelector("[data-clip-status]");
  var maxSeconds = parseFloat(form.dataset.max) || 60;
  var transcript = document.querySelector("[data-transcript]");

  // To the hundredth where it has one ("1:05.48"), as the server prefills the form.
  function formatTime(seconds) {
    return clock(seconds, 2, { trim: true });
  }

  function say(message, problem) {
    status.textContent = message;
    status.classList.toggle("clip-problem", !!problem);
    [startInput, endInput].forEach(function (input) {
      input.setAttribute("aria-invalid", problem ? "true" : "false");
    });
  }

  /* Cues are the innermost elements of the transcript that carry times. */
  function cues() {
    if (!transcript) return [];
    return Array.prototype.filter.call(transcript.querySelectorAll("[data-start][data-end]"), function (el) {
      return !el.querySelector("[data-start]");
    });
  }

  function cueText(el) {
    var copy = el.cloneNode(true);
    copy.querySelectorAll("time, [data-clip-skip]").forEach(function (t) { t.remove(); });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  function choose(selected) {
    var start = parseFloat(selected[0].dataset.start);
    var end = parseFloat(selected[selected.length - 1].dataset.end);
    startInput.value = formatTime(start);
    endInput.value = formatTime(end);
    var words = selected.map(cueText).join(" ");
    quote.textContent = "“" + (words.length > 280 ? words.slice(0, 277) + "…" : words) + "”";
    quote.hidden = false;
    var length = end - start;
    if (length > maxSeconds) {
      say("That passage is " + Math.round(length) + " seconds long; a clip can be at most " + maxSeconds +
          ". Select fewer words.", true);
    } else {
      say("Clip of " + formatTime(start) + "–" + formatTime(end) + " (" + Math.round(length * 10) / 10 + " s) chosen.");
    }
  }

  function onSelection() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount || !transcript) return;
    var range = selection.getRangeAt(0);
    if (!range.intersectsNode(transcript)) return;
    var selected = cues().filter(function (el) {
      return range.intersectsNode(el) && (range.toString().trim() !== "");
    });
    if (selected.length) choose(selected);
  }

  if (transcript) {
    var pending = null;
    document.addEventListener("selectionchange", function () {
      // Selections change on every mouse move while dragging: act when it settles.
      clearTimeout(pending);
      pending = setTimeout(onSelection, 150);
    });
    document.querySelectorAll("[data-clip-hint]").forEach(function (hint) { hint.hidden = false; });
  }

  form.querySelectorAll("[data-clip-now]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var player = window.eventsitePlayer;
      if (!player || !player.video) {
        say("Start the video first, then use this button at the moment you want.", true);
        return;
      }
      var input = button.dataset.clipNow === "start" ? startInput : endInput;
      input.value = formatTime(player.video.currentTime);
      say((button.dataset.clipNow === "start" ? "Start" : "End") + " set to " + input.value + ".");
    });
  });
})();
