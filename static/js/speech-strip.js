// The studio's speech timeline, made livelier: click a turn on the strip (or
// "Play" in its row) to hear it in the player, follow the playhead along the
// strip, and split a turn where the player stands. Without this script the
// strip's turns are links to their rows and every change is a plain form.
import { clock } from "./time.js";

(function () {
  "use strict";
  var editor = document.querySelector("[data-speech-editor]");
  var player = document.getElementById("speech-player");
  if (!editor || !player) return;
  var duration = parseFloat(editor.dataset.duration) || 0;
  var playhead = editor.querySelector("[data-playhead]");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#speech-turns tr[data-turn]"));
  var blocks = Array.prototype.slice.call(editor.querySelectorAll(".speech-turn"));
  var current = null;

  function seek(seconds) {
    player.currentTime = Math.max(0, seconds);
    var playing = player.play();
    if (playing && playing.catch) playing.catch(function () { /* the organiser can press play */ });
  }


  function mark(number) {
    if (number === current) return;
    current = number;
    rows.concat(blocks).forEach(function (el) {
      el.classList.toggle("is-playing", el.dataset.turn === number);
    });
  }

  // The strip's turns seek instead of jumping to their row.
  blocks.forEach(function (block) {
    block.addEventListener("click", function (event) {
      event.preventDefault();
      seek(parseFloat(block.dataset.start));
    });
  });

  // "Play" buttons exist in the page but only make sense with this script.
  document.querySelectorAll("[data-seek]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { seek(parseFloat(button.dataset.seek)); });
  });

  // "Split at" can take the player's time: a small button beside each field.
  document.querySelectorAll("[data-split-at]").forEach(function (input) {
    var row = input.closest("tr");
    var here = document.createElement("button");
    here.type = "button";
    here.textContent = "Use the player's time";
    here.addEventListener("click", function () {
      var t = player.currentTime, start = parseFloat(row.dataset.start), end = parseFloat(row.dataset.end);
      input.value = clock(Math.min(Math.max(t, start), end), 1);  // as studio/speech.exact_time
      input.focus();
    });
    input.insertAdjacentElement("afterend", here);
  });

  player.addEventListener("timeupdate", function () {
    var t = player.currentTime;
    if (playhead && duration) {
      var x = Math.min(100, 100 * t / duration) + "%";
      playhead.setAttribute("x1", x);
      playhead.setAttribute("x2", x);
      playhead.setAttribute("visibility", "visible");
    }
    var playing = rows.filter(function (row) {
      return parseFloat(row.dataset.start) <= t && t < parseFloat(row.dataset.end);
    })[0];
    mark(playing ? playing.dataset.turn : null);
  });
})();
