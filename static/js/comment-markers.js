// Comments on the timeline: a marker on the player's seek bar for every approved
// comment tied to a moment (hover or focus shows its first line; activating it
// seeks there and scrolls to the comment), and a thin strip under the player
// showing where the discussion concentrates.
//
// Data: <script type="application/json" id="comment-moments" data-duration="…">
// written by templates/discussion/_discussion.html from the page data
// (events/page.py). Comment text only ever goes in with textContent.
// The player is static/js/player.js: it builds Plyr, and Plyr fires a
// (non-bubbling) "ready" event on the <video>; we listen for it in the capture
// phase, so nothing in player.js has to know about us.
import { clock } from "./time.js";

(function start() {
  "use strict";
  // Loaded async, so it never holds DOMContentLoaded: wait for the rest of the page if it is
  // still being parsed.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start, { once: true });
    return;
  }

  const dataNode = document.getElementById("comment-moments");
  if (!dataNode) return;
  let moments;
  try {
    moments = JSON.parse(dataNode.textContent);
  } catch {
    return;
  }
  if (!Array.isArray(moments) || !moments.length) return;
  const knownDuration = Number(dataNode.dataset.duration) || 0;
  const permalinkPattern = dataNode.dataset.permalink || "";
  const BUCKETS = 48;
  let built = false;


  function seekTo(video, seconds) {
    const player = window.eventsitePlayer;
    if (player && typeof player.seek === "function") player.seek(seconds);
    else video.currentTime = seconds;
  }

  function showComment(id) {
    const item = document.getElementById("comment-" + id);
    if (!item) {
      // On another page of the discussion: its permalink finds the page.
      if (permalinkPattern) window.location.assign(permalinkPattern.replace("987654321", String(id)));
      return;
    }
    item.classList.add("is-targeted");
    item.scrollIntoView({ behavior: "smooth", block: "center" });
    const body = item.querySelector(".comment-body");
    if (body) {
      body.setAttribute("tabindex", "-1");
      body.focus({ preventScroll: true });
    }
    window.setTimeout(() => item.classList.remove("is-targeted"), 2500);
  }

  function markerLabel(moment) {
    return "Comment by " + moment.author + " at " + clock(moment.t) + ": " + moment.text;
  }

  function buildMarkers(progress, video, duration) {
    const layer = document.createElement("div");
    layer.className = "comment-markers";
    const tip = document.createElement("span");
    tip.className = "comment-marker-tip";
    tip.hidden = true;
    tip.setAttribute("aria-hidden", "true");
    layer.appendChild(tip);

    const showTip = (button, moment) => {
      tip.textContent = "";
      const who = document.createElement("b");
      who.textContent = moment.author + " · " + clock(moment.t);
      const line = document.createElement("span");
      line.textContent = moment.text;
      tip.append(who, line);
      tip.style.left = button.style.left;
      tip.hidden = false;
      progress.classList.add("is-on-comment");
    };
    const hideTip = () => {
      tip.hidden = true;
      progress.classList.remove("is-on-comment");
    };

    moments.forEach((moment) => {
      if (!(moment.t >= 0) || moment.t > duration) return;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "comment-marker";
      button.style.left = (100 * moment.t / duration).toFixed(3) + "%";
      button.dataset.commentId = String(moment.id);
      button.setAttribute("aria-label", markerLabel(moment));
      button.addEventListener("mouseenter", () => showTip(button, moment));
      button.addEventListener("focus", () => showTip(button, moment));
      button.addEventListener("mouseleave", hideTip);
      button.addEventListener("blur", hideTip);
      // Plyr's scrub preview follows the pointer over the bar; not over a marker.
      button.addEventListener("mousemove", (event) => event.stopPropagation());
      // Plyr's keyboard shortcuts must not swallow Enter and Space here.
      button.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") event.stopPropagation();
      });
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        seekTo(video, moment.t);
        showComment(moment.id);
      });
      layer.appendChild(button);
    });
    progress.appendChild(layer);
  }

  function buildStrip(frame, duration) {
    const counts = new Array(BUCKETS).fill(0);
    moments.forEach((moment) => {
      if (!(moment.t >= 0) || moment.t > duration) return;
      counts[Math.min(BUCKETS - 1, Math.floor(BUCKETS * moment.t / duration))] += 1;
    });
    const most = Math.max(...counts);
    if (!most) return;
    const busiest = counts.indexOf(most);
    const strip = document.createElement("div");
    strip.className = "comment-heat";
    strip.setAttribute("role", "img");
    strip.setAttribute(
      "aria-label",
      "Where the discussion concentrates: most comments around " + clock((busiest + 0.5) * duration / BUCKETS) + ".",
    );
    counts.forEach((count) => {
      const bar = document.createElement("span");
      bar.className = "comment-heat-bar";
      bar.style.height = Math.round(100 * count / most) + "%";
      strip.appendChild(bar);
    });
    frame.after(strip);
  }

  function build(video) {
    if (built) return;
    const container = video.closest(".plyr");
    const progress = container && container.querySelector(".plyr__progress");
    const duration = knownDuration || video.duration;
    if (!progress || !(duration > 0)) return;
    built = true;
    buildMarkers(progress, video, duration);
    buildStrip(container, duration);
  }

  function tryBuild() {
    const player = window.eventsitePlayer;
    const video = (player && player.video) || document.querySelector("[data-player] video");
    if (video) build(video);
  }

  // Plyr's "ready" does not bubble; the capture phase still sees it.
  document.addEventListener("ready", (event) => {
    if (event.target instanceof HTMLMediaElement) build(event.target);
  }, true);
  document.addEventListener("loadedmetadata", (event) => {
    if (event.target instanceof HTMLMediaElement) build(event.target);
  }, true);
  // The player may already be there when this script runs.
  tryBuild();
  window.addEventListener("load", tryBuild);
})();
