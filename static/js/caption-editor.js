// The studio's caption editor (templates/studio/captions_edit.html), better with a keyboard.
//
// The page works without this script: one fieldset per cue, posted as a plain
// form and checked on the server. This adds the player beside the list: play a
// cue, take a time from the player, split at the cursor, add and delete cues
// in place, move with Enter / Alt+arrows, save with Ctrl+Enter. Shortcuts use
// event.code, so Alt+letter works on a Mac keyboard too.
import { clock, parseTime } from "./time.js";

(function () {
  "use strict";

  const root = document.querySelector("[data-caption-editor]");
  if (!root) return;
  const form = root.querySelector("[data-cue-form]");
  const list = root.querySelector("[data-cue-list]");
  const video = root.querySelector("[data-editor-video]");
  const status = root.querySelector("[data-editor-status]");
  const dirtyNote = root.querySelector("[data-editor-dirty]");
  let dirty = false;
  let stopAt = null;
  let nextIndex = list.querySelectorAll("[data-cue]").length;

  function say(text) {
    if (status) status.textContent = text;
  }

  // Cue times exact to the millisecond, as the server writes them (transcripts/editor.cue_time).
  const formatTime = (seconds) => clock(seconds, 3);

  const cues = () => [...list.querySelectorAll("[data-cue]")];
  const field = (cue, name) => cue.querySelector(`[data-field="${name}"]`);
  const cueOf = (element) => element && element.closest("[data-cue]");

  function markDirty() {
    dirty = true;
    if (dirtyNote) dirtyNote.textContent = "Unsaved changes";
  }

  function focusText(cue) {
    if (!cue) return;
    const text = field(cue, "text");
    text.focus();
    text.setSelectionRange(text.value.length, text.value.length);
    cue.scrollIntoView({ block: "nearest" });
  }

  function move(cue, step) {
    const all = cues();
    const next = all[all.indexOf(cue) + step];
    if (next) focusText(next);
  }

  function playCue(cue) {
    if (!video) return;
    const start = parseTime(field(cue, "start").value);
    const end = parseTime(field(cue, "end").value);
    if (start === null) { say("This cue's start is not a time yet."); return; }
    stopAt = end !== null && end > start ? end : null;
    video.currentTime = start;
    video.play().catch(() => say("Press play on the player to hear the cue."));
  }

  function takeTime(cue, which) {
    if (!video) return;
    field(cue, which).value = formatTime(video.currentTime);
    markDirty();
    say(`${which === "start" ? "Start" : "End"} set to ${formatTime(video.currentTime)}.`);
  }

  // A new fieldset with fresh field names (the server sorts cues by time, so order of names is free).
  function newCue(start, end, speaker, text) {
    const template = list.querySelector("[data-new-cue]");
    const cue = template.cloneNode(true);
    const n = nextIndex++;
    cue.removeAttribute("data-new-cue");
    cue.classList.remove("cue-new");
    cue.id = `cue-${n}`;
    cue.querySelector("legend").textContent = "New cue";
    const hint = cue.querySelector(".hint");
    if (hint) hint.remove();
    for (const input of cue.querySelectorAll("[name]")) {
      const name = input.name.replace(/^cue-\d+-/, `cue-${n}-`);
      input.name = name;
      input.id = name;
    }
    for (const label of cue.querySelectorAll("label[for]")) {
      label.htmlFor = label.htmlFor.replace(/^cue-\d+-/, `cue-${n}-`);
    }
    field(cue, "start").value = start;
    field(cue, "end").value = end;
    field(cue, "speaker").value = speaker;
    field(cue, "text").value = text;
    addButtons(cue);
    return cue;
  }

  function split(cue) {
    const text = field(cue, "text");
    const value = text.value;
    let at = text.selectionStart;
    if (!at || at >= value.length) at = value.lastIndexOf(" ", Math.floor(value.length / 2)) + 1 || Math.floor(value.length / 2);
    const first = value.slice(0, at).trim();
    const second = value.slice(at).trim();
    if (!first || !second) { say("Put the cursor between two words to split there."); return; }
    const start = parseTime(field(cue, "start").value);
    const end = parseTime(field(cue, "end").value);
    if (start === null || end === null || end <= start) { say("Fix this cue's times before splitting it."); return; }
    const cut = start + (end - start) * first.length / (first.length + second.length);
    text.value = first;
    field(cue, "end").value = formatTime(cut);
    const after = newCue(formatTime(cut), formatTime(end), field(cue, "speaker").value, second);
    cue.after(after);
    markDirty();
    focusText(after);
    say("Cue split in two; save to keep it.");
  }

  function addAfter(cue) {
    const end = parseTime(field(cue, "end").value) || 0;
    const all = cues();
    const following = all[all.indexOf(cue) + 1];
    const limit = following && !following.hasAttribute("data-new-cue") ? parseTime(field(following, "start").value) : null;
    const stop = limit !== null && limit > end ? Math.min(end + 2, limit) : end + 2;
    const added = newCue(formatTime(end), formatTime(stop), field(cue, "speaker").value, "");
    cue.after(added);
    markDirty();
    focusText(added);
    say("Cue added; write its words.");
  }

  function toggleDelete(cue) {
    const box = field(cue, "delete");
    if (!box) return;
    box.checked = !box.checked;
    cue.classList.toggle("is-deleted", box.checked);
    markDirty();
    say(box.checked ? "This cue will be deleted when you save." : "This cue stays.");
  }

  function addButtons(cue) {
    if (cue.hasAttribute("data-new-cue")) return;
    let actions = cue.querySelector(".cue-actions");
    if (!actions) {
      actions = document.createElement("div");
      actions.className = "cue-actions";
      cue.append(actions);
      const label = document.createElement("label");
      const n = field(cue, "text").name.match(/^cue-(\d+)-/)[1];
      label.innerHTML = `<input type="checkbox" name="cue-${n}-delete" value="1" data-field="delete"> Delete this cue`;
      actions.append(label);
    }
    for (const [label, action] of [["Play this cue", "play"], ["Add a cue after", "add"]]) {
      if (actions.querySelector(`[data-action="${action}"]`)) continue;
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.action = action;
      button.textContent = label;
      actions.prepend(button);
    }
    const splitButton = actions.querySelector("[data-split]");
    if (splitButton) { splitButton.type = "button"; splitButton.dataset.action = "split"; splitButton.removeAttribute("name"); }
  }

  cues().forEach(addButtons);

  root.addEventListener("click", (event) => {
    const button = event.target.closest("[data-action]");
    if (!button) return;
    const cue = cueOf(button);
    const action = button.dataset.action;
    if (action === "play") playCue(cue);
    else if (action === "add") addAfter(cue);
    else if (action === "split") split(cue);
  });

  root.addEventListener("change", (event) => {
    if (event.target.matches('[data-field="delete"]')) {
      cueOf(event.target).classList.toggle("is-deleted", event.target.checked);
    }
    markDirty();
  });
  root.addEventListener("input", markDirty);

  root.addEventListener("focusin", (event) => {
    const cue = cueOf(event.target);
    if (!cue) return;
    for (const other of list.querySelectorAll(".cue.is-current")) other.classList.remove("is-current");
    cue.classList.add("is-current");
    // While paused, moving to a cue shows its moment, so the picture matches the words.
    const start = parseTime(field(cue, "start").value);
    if (video && video.paused && start !== null && Math.abs(video.currentTime - start) > 0.05) {
      try { video.currentTime = start; } catch { /* not seekable yet */ }
    }
  });

  form.addEventListener("keydown", (event) => {
    const cue = cueOf(event.target);
    const code = event.code;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    if (event.key === "Escape" && video && !video.paused) {
      video.pause();
      return;
    }
    if (!cue) return;
    if (event.key === "Enter" && !event.shiftKey && !event.altKey && event.target.matches("textarea")) {
      event.preventDefault();
      move(cue, 1);
      return;
    }
    if (!event.altKey) return;
    const actions = {
      ArrowDown: () => move(cue, 1),
      ArrowUp: () => move(cue, -1),
      KeyP: () => playCue(cue),
      BracketLeft: () => takeTime(cue, "start"),
      BracketRight: () => takeTime(cue, "end"),
      KeyS: () => split(cue),
      KeyN: () => addAfter(cue),
      KeyD: () => toggleDelete(cue),
    };
    if (actions[code]) {
      event.preventDefault();
      actions[code]();
    }
  });

  if (video) {
    video.addEventListener("timeupdate", () => {
      if (stopAt !== null && video.currentTime >= stopAt) {
        video.pause();
        stopAt = null;
      }
    });
    video.addEventListener("pause", () => { stopAt = null; });
  }

  form.addEventListener("submit", () => { dirty = false; });
  window.addEventListener("beforeunload", (event) => {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
  say("Keyboard shortcuts are listed above the cues.");
})();
