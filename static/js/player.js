// The panel player: turns the page's plain <video controls> into Plyr, fed by
// hls.js where the browser needs it (adaptive HLS with a quality menu), or by
// the MP4 <source>s otherwise. The page loads only this script (async, at the
// end of the body). Nothing waits for what it does not need: the <video> plays
// its own <source>s from the start; this script fetches Plyr and builds the
// controls the moment it arrives (after the first frame, if the visitor has
// already pressed play); then, only in browsers with Media Source Extensions,
// and only once the visitor reaches for the player (a pointer over it or a touch,
// keyboard focus in it or on a chapter or transcript link, a press of play), it
// fetches hls.js with the playlists it starts on; hls.js takes over a video nobody
// has started and loads media only once it plays, half a minute ahead at most. A
// page only read costs neither hls.js's download nor its compile (a long task).
// A video already playing keeps what it plays, so a press of play is never
// started over. A streaming-only page (no MP4s) fetches both at once and builds
// the controls when hls.js is attached.
// Also: ?t= / #t= deep links, chapter and transcript links, transcript search,
// the video / cartoon / feathered friends / audio-only switch (config.views:
// what each view plays), "copy link at current time", and the once-a-day view beacon.
import { parseTime, plainTimes } from "./time.js";

(() => {
  "use strict";

  const root = document.querySelector("[data-player]");
  const configNode = document.getElementById("player-config");
  if (!root || !configNode) return;
  const config = JSON.parse(configNode.textContent);
  const video = root.querySelector("video");
  const status = root.querySelector("[data-player-status]");
  // What the page offered without script, kept to switch back to later.
  const mp4s = [...video.querySelectorAll("source")].map((s) => ({
    src: s.getAttribute("src").split("#")[0],
    size: Number(s.getAttribute("size")) || 0,
  }));

  let hls = null;
  let plyr = null;
  let version = config.view || "video";
  // The quality the viewer picked in the menu (0: Auto), carried over when hls.js takes over.
  let chosenHeight = 0;
  // Whether the source is final: hls.js attached, or the files kept (for tests and the bench).
  let settled = false;
  // Whether the visitor has pressed play (hls.js loads no media before).
  let watched = false;
  video.addEventListener("play", () => { watched = true; }, { once: true });

  function startTimeFromUrl() {
    const fromHash = new URLSearchParams(location.hash.slice(1)).get("t");
    return parseTime(fromHash) ?? parseTime(new URLSearchParams(location.search).get("t"));
  }

  function say(message) {
    if (status) status.textContent = message;
  }

  function canUseHls() {
    return Boolean(config.hls && window.Hls && window.Hls.isSupported());
  }

  /** Whether the visitor pressed play on the page's own <video> before the player took over,
   * and it plays: a source the browser can't play (HLS outside Safari and Chromium) doesn't count. */
  function startedNatively() {
    const pressed = !video.paused || video.played.length > 0;
    return pressed && !video.error && video.networkState !== HTMLMediaElement.NETWORK_NO_SOURCE;
  }

  const touchScreen = window.matchMedia("(pointer: coarse)").matches;

  function plyrOptions(quality) {
    return {
      iconUrl: config.vendor + "plyr.svg",
      blankVideo: "",
      controls: [
        "play-large", "play", "progress", "current-time", "duration", "mute",
        // A touch screen sets the volume with the device's buttons; the slider would only take
        // the seek bar's room (at 390 px it left the seek bar 0 px wide).
        ...(touchScreen ? [] : ["volume"]),
        "captions", "settings", "pip", "airplay", "fullscreen",
      ],
      settings: ["captions", "quality", "speed"],
      speed: { selected: 1, options: [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2] },
      keyboard: { focused: true, global: false },
      tooltips: { controls: true, seek: true },
      captions: { active: false, update: false, language: "auto" },
      // Off until the viewer reaches for the seek bar (deferPreviews).
      previewThumbnails: { enabled: false, src: "" },
      markers: { enabled: config.chapters.length > 0, points: config.chapters },
      duration: config.duration || null,
      fullscreen: { enabled: true, fallback: true, iosNative: true },
      i18n: { qualityLabel: { 0: "Auto" } },
      quality,
    };
  }

  /** Quality menu entries: 0 is "Auto", the rest are picture heights (the ladder's, and the MP4s'). */
  function qualityOptions() {
    const heights = [...config.qualities.map((q) => q.height), ...mp4s.map((m) => m.size)].filter(Boolean);
    const options = [...new Set(heights)].sort((a, b) => b - a);
    return { default: 0, options: [0, ...options], forced: true, onChange: setQuality };
  }

  function setQuality(height) {
    chosenHeight = height;
    if (hls) setHlsQuality(height);
    else setFileQuality(height);
  }

  function setHlsQuality(height) {
    if (!hls || !hls.levels || !hls.levels.length) return;
    const level = height === 0 ? -1 : hls.levels.findIndex((l) => l.height === height);
    // currentLevel switches at once, flushing the buffer and fetching again; -1 returns to
    // automatic choice. Plyr sets "Auto" as it starts: that must not throw away the first segment.
    if (level === hls.manualLevel) return;
    hls.currentLevel = level;
  }

  /** Without hls.js: play the MP4 of that height from where the viewer is; "Auto" is the page's
   * own first choice. Plyr sets "Auto" as it starts: the file already loaded (or playing) stays. */
  function setFileQuality(height) {
    const file = height === 0 ? mp4s[0] : mp4s.find((m) => m.size === height);
    if (!file || version !== (config.view || "video")) return;
    const url = new URL(file.src, location.href).href;
    const current = video.currentSrc.split("#")[0];
    if (current === url || (!current && file === mp4s[0])) return;
    switchSource(url);
  }

  /** Our fMP4 segments begin a few hundredths of a second after 0 (the encoder's B-frame delay;
   * the MP4s carry an edit list for it, MSE has none). A video left at 0 would stall on play until
   * hls.js's next gap check, ≈ 100 ms later: once the first media is buffered, step into it. */
  function stepIntoBuffer(instance) {
    const check = () => {
      const buffered = video.buffered;
      if (!buffered.length) return; // the other track's fragment came first
      instance.off(window.Hls.Events.FRAG_BUFFERED, check);
      const gap = buffered.start(0) - video.currentTime;
      if (gap > 0 && gap < 0.5 && !video.seeking) video.currentTime = buffered.start(0);
    };
    instance.on(window.Hls.Events.FRAG_BUFFERED, check);
  }

  /** hls.js loads media once the video plays (at once if it has played: a switch of view shows
   * the new one where the viewer was): a page nobody plays costs its small playlists only. It
   * starts where the viewer is (a seek while paused counts). */
  function loadOnPlay(instance, startPosition) {
    const begin = () => {
      if (hls !== instance) return; // replaced meanwhile by a switch of view
      instance.startLoad(video.currentTime > 0 ? video.currentTime : startPosition ?? -1);
    };
    if (!video.paused || watched) begin();
    else video.addEventListener("play", begin, { once: true });
  }

  function attachHls(startPosition, url, startHeight) {
    const instance = new window.Hls({
      // Our HLS is fMP4, which needs no transmuxing worker; and CSP forbids the blob: worker.
      enableWorker: false,
      startPosition: startPosition ?? -1,
      capLevelToPlayerSize: true,
      autoStartLoad: false,
      // Half a minute ahead rides out any network hiccup; hls.js's defaults (up to 600 s or
      // 60 MB) fetched a whole talk that a visitor may stop watching after a minute.
      maxBufferLength: 20,
      maxMaxBufferLength: 30,
      maxBufferSize: 10 * 1000 * 1000,
    });
    hls = instance;
    instance.once(window.Hls.Events.MANIFEST_PARSED, (_event, data) => {
      // Begin on the variant whose playlists the page preloaded, then adapt.
      const level = startHeight ? data.levels.findIndex((l) => l.height === startHeight) : -1;
      if (level >= 0) instance.startLevel = level;
      loadOnPlay(instance, startPosition);
    });
    hls.on(window.Hls.Events.ERROR, (_event, data) => {
      if (data.fatal && data.type === window.Hls.ErrorTypes.NETWORK_ERROR) hls.startLoad();
      else if (data.fatal && data.type === window.Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
    });
    stepIntoBuffer(hls);
    hls.loadSource(url || config.hls);
    hls.attachMedia(video);
    return hls;
  }

  function attachFirstHls(startAt) {
    // Play pressed on a source this browser can't play: go on with hls.js's.
    const pressed = !video.paused;
    // hls.js feeds the element through MediaSource; the page's <source>s would compete.
    video.querySelectorAll("source").forEach((s) => s.remove());
    attachHls(startAt, null, chosenHeight || config.hlsStartHeight);
    if (chosenHeight) hls.once(window.Hls.Events.MANIFEST_PARSED, () => setHlsQuality(chosenHeight));
    if (pressed) video.play().catch(() => {});
  }

  function buildControls(startAt) {
    if (!hls && startAt && !startedNatively()) {
      video.addEventListener("loadedmetadata", () => { video.currentTime = startAt; }, { once: true });
    }
    plyr = new window.Plyr(video, plyrOptions(qualityOptions()));
    ready();
  }

  /** Play ``src`` (or the HLS master ``hlsUrl`` when src is null) from where the viewer was. */
  function switchSource(src, hlsUrl) {
    const time = video.currentTime;
    const playing = !video.paused;
    // A video the viewer has already loaded loads the new source too (preload="none" would
    // leave it empty, and the viewer's place could not be restored).
    if (video.readyState > 0) video.preload = "metadata";
    if (hls) {
      hls.destroy();
      hls = null;
    }
    if (src === null) {
      video.removeAttribute("src");
      attachHls(time, hlsUrl);
    } else {
      video.src = src;
      video.addEventListener("loadedmetadata", () => { video.currentTime = time; }, { once: true });
    }
    if (playing) video.play().catch(() => {});
  }

  /** A file played from object storage is read from a presigned URL that runs out
   * (EVENTSITE_MEDIA_URL_SECONDS, minutes): when a later range of it is refused, the file is asked
   * for again through /media/, which checks access again and hands out a fresh URL (or a 404 once
   * the panel is unpublished), and playback goes on where the viewer was. One try per failure:
   * a second failure in a row says so instead of looping. hls.js asks /media/ for every segment. */
  function recoverFiles() {
    let tried = false;
    let wanted = false;
    video.addEventListener("play", () => { wanted = true; });
    video.addEventListener("pause", () => { wanted = false; });
    video.addEventListener("playing", () => { tried = false; });
    video.addEventListener("error", () => {
      const error = video.error;
      const src = video.currentSrc.split("#")[0];
      if (hls || !error || src.startsWith("blob:")) return;
      if (error.code !== MediaError.MEDIA_ERR_NETWORK && error.code !== MediaError.MEDIA_ERR_SRC_NOT_SUPPORTED) return;
      if (tried || !src) {
        say("The video stopped loading. Reload the page to try again.");
        return;
      }
      tried = true;
      const time = video.currentTime;
      const resume = wanted;
      video.src = src;
      video.addEventListener("loadedmetadata", () => { if (time) video.currentTime = time; }, { once: true });
      if (resume) video.play().catch(() => {});
    });
  }

  function setVersion(next) {
    const source = (config.views || {})[next];
    if (next === version || !source) return;
    version = next;
    root.classList.toggle("is-audio-only", next === "audio");
    if (source.hls && window.Hls && window.Hls.isSupported()) switchSource(null, source.hls);
    else switchSource(source.file);
    say("Playing " + source.label + ".");
  }

  function seek(seconds) {
    video.currentTime = seconds;
    video.play().catch(() => {});
    const url = new URL(location.href);
    url.hash = "";
    url.searchParams.set("t", String(Math.floor(seconds)));
    history.replaceState(null, "", url);
  }

  function copyLink() {
    const url = new URL(config.shareUrl || location.href, location.href);
    url.hash = "";
    url.searchParams.set("t", String(Math.floor(video.currentTime)));
    const done = () => say("Link copied: " + url.href);
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url.href).then(done, () => say("Copy this link: " + url.href));
    } else {
      say("Copy this link: " + url.href);
    }
  }

  function wireTranscript() {
    const list = document.querySelector("[data-transcript]");
    if (!list) return;
    const items = [...list.querySelectorAll("li")];
    const search = document.querySelector("[data-transcript-search]");
    const count = document.querySelector("[data-transcript-count]");
    if (search) {
      search.hidden = false;
      search.querySelector("input").addEventListener("input", (event) => {
        const query = event.target.value.trim().toLowerCase();
        let shown = 0;
        for (const item of items) {
          const match = !query || item.textContent.toLowerCase().includes(query);
          item.hidden = !match;
          shown += match ? 1 : 0;
        }
        count.textContent = query ? `${shown} of ${items.length} lines match` : "";
        // A speaker's turn with none of its lines shown goes too, name and all.
        list.querySelectorAll(".transcript-turn").forEach((turn) => {
          turn.hidden = Boolean(query) && !turn.querySelector("li:not([hidden])");
        });
      });
    }
    let current = null;
    video.addEventListener("timeupdate", () => {
      const t = video.currentTime;
      const now = items.find((li) => Number(li.dataset.start) <= t && t < Number(li.dataset.end)) || null;
      if (now === current) return;
      if (current) current.classList.remove("is-current");
      if (now) now.classList.add("is-current");
      current = now;
    });
  }

  /** Plyr draws its seek-preview thumbnails as <img> without alt: they are decoration (the time is read out). */
  function markPreviewsDecorative() {
    const mark = () => root.querySelectorAll("img:not([alt])").forEach((img) => img.setAttribute("alt", ""));
    new MutationObserver(mark).observe(root, { childList: true, subtree: true });
    mark();
  }

  /** Plyr writes "01:24"; every other time on the site reads "1:24" (time.js). Its time displays,
   * seek tooltip and the seek bar's spoken value are written the one way as Plyr updates them. */
  function writeTimesOneWay() {
    const fix = () => {
      root.querySelectorAll(".plyr__time, .plyr__progress .plyr__tooltip").forEach((el) => {
        const text = plainTimes(el.textContent);
        if (text !== el.textContent) el.textContent = text;
      });
      const seekBar = root.querySelector(".plyr__progress input[type=range]");
      const spoken = seekBar && seekBar.getAttribute("aria-valuetext");
      if (spoken && plainTimes(spoken) !== spoken) seekBar.setAttribute("aria-valuetext", plainTimes(spoken));
    };
    const watched = { childList: true, subtree: true, characterData: true, attributeFilter: ["aria-valuetext"] };
    new MutationObserver(fix).observe(root, watched);
    fix();
  }

  /** Captions sit just above the controls while the controls show, and return to the bottom
   * when they hide (as YouTube's do): Plyr's own lift is a fixed 40 px, less than our controls
   * row, so the seek bar disappeared behind the caption. The lift is the row's real height. */
  function keepCaptionsAboveControls() {
    const box = plyr.elements.container;
    const controls = box && box.querySelector(".plyr__controls");
    if (!controls || !window.ResizeObserver) return;
    const measure = () => {
      // the row itself, without the gradient's padding above it
      const row = controls.offsetHeight - parseFloat(getComputedStyle(controls).paddingTop || "0");
      box.style.setProperty("--captions-lift", `${Math.max(0, Math.round(row))}px`);
    };
    new ResizeObserver(measure).observe(controls);
    measure();
  }

  /** One speaker name per caption: a WebVTT voice is named in front of its words (site.css), unless
   * the words already start with that name ("Azeem Azhar: …", "Azeem: …"), as imported captions do. */
  function nameSpeakersOnce() {
    const mark = () => root.querySelectorAll(".plyr__caption span[title]").forEach((span) => {
      const name = span.title.trim().toLowerCase();
      const words = span.textContent.trim().toLowerCase();
      const named = name && [name, name.split(/\s+/)[0]].some((n) => words.startsWith(n + ":"));
      span.toggleAttribute("data-named", Boolean(named));
    });
    new MutationObserver(mark).observe(root, { childList: true, subtree: true, characterData: true });
    mark();
  }

  /** Seek-bar previews: their storyboard (a WebVTT file and a sprite) loads when the viewer
   * first reaches for the seek bar, the only place they show, so it never competes with the
   * first frame (nor with the settings menu while the video starts). */
  function deferPreviews() {
    if (!config.storyboard) return;
    const events = ["pointerover", "focusin", "touchstart"];
    const load = (event) => {
      if (!event.target.closest || !event.target.closest(".plyr__progress")) return;
      events.forEach((type) => root.removeEventListener(type, load, true));
      plyr.setPreviewThumbnails({ enabled: true, src: config.storyboard });
    };
    events.forEach((type) => root.addEventListener(type, load, { capture: true, passive: true }));
  }

  function ready() {
    root.classList.add("is-enhanced");
    recoverFiles();
    deferPreviews();
    markPreviewsDecorative();
    writeTimesOneWay();
    keepCaptionsAboveControls();
    nameSpeakersOnce();
    const tools = root.querySelector("[data-player-tools]");
    if (tools) tools.hidden = false;
    root.querySelectorAll("input[name=player-version]").forEach((input) => {
      input.addEventListener("change", () => { if (input.checked) setVersion(input.value); });
    });
    const copy = root.querySelector("[data-copy-link]");
    if (copy) copy.addEventListener("click", copyLink);
    document.addEventListener("click", (event) => {
      const link = event.target.closest("[data-seek]");
      if (!link) return;
      event.preventDefault();
      seek(Number(link.dataset.seek));
      video.scrollIntoView({ block: "nearest" });
    });
    wireTranscript();
    // Count a view once playback really starts; the server de-duplicates per day.
    video.addEventListener("playing", () => {
      if (navigator.sendBeacon) navigator.sendBeacon(config.beacon);
    }, { once: true });
    window.eventsitePlayer = { plyr, video, get hls() { return hls; }, get settled() { return settled; }, setVersion, seek };
  }

  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.head.append(script);
    });
  }

  /** A video the visitor has started shows its first frame before Plyr's build and hls.js's
   * compile (long tasks) take the main thread; one not started, or already showing, does not wait.
   * (A video already started needs hls.js only for a later switch of view.) */
  function firstFrameShown() {
    if (video.paused || video.readyState >= HTMLMediaElement.HAVE_FUTURE_DATA) return Promise.resolve();
    return new Promise((resolve) => {
      ["playing", "pause", "error"].forEach((type) => video.addEventListener(type, resolve, { once: true }));
      setTimeout(resolve, 1000);
    });
  }

  /** Resolves once the visitor reaches for the player: a pointer over it (or over a chapter or
   * transcript link), a touch, keyboard focus there, or a press of play however it came. */
  function reachedForPlayer() {
    return new Promise((resolve) => {
      const events = ["pointerover", "focusin", "touchstart"];
      const reach = (event) => {
        if (event.type !== "play" && !(event.target.closest && event.target.closest("[data-player], [data-seek]"))) return;
        events.forEach((type) => document.removeEventListener(type, reach, true));
        video.removeEventListener("play", reach);
        resolve();
      };
      events.forEach((type) => document.addEventListener(type, reach, { capture: true, passive: true }));
      video.addEventListener("play", reach);
      if (watched || !video.paused) resolve();
    });
  }

  /** hls.js and, beside it, the playlists it fetches first (so they don't wait for its compile). */
  function fetchHls() {
    for (const url of config.hlsStart || []) {
      const link = document.createElement("link");
      Object.assign(link, { rel: "preload", href: url, as: "fetch", crossOrigin: "anonymous" });
      document.head.append(link);
    }
    return loadScript(config.vendor + "hls.min.js").catch(() => null);
  }

  const startAt = startTimeFromUrl();
  // Listened for from the start: a pointer over the player while Plyr loads counts too.
  const reached = mp4s.length ? reachedForPlayer() : null;
  const anyHls = Boolean(config.hls) || Object.values(config.views || {}).some((v) => v.hls);
  const mse = Boolean(window.MediaSource || window.ManagedMediaSource);
  const plyrReady = window.Plyr ? Promise.resolve() : loadScript(config.vendor + "plyr.min.js").catch(() => null);
  // Browsers without MSE play the MP4s (or the sound) and never download hls.js.
  const loadHls = () => (anyHls && mse ? fetchHls() : null);
  const build = () => {
    if (window.Plyr) buildControls(startAt); // else the plain <video controls> stays, and works
  };
  const takeOver = () => {
    // A video already playing keeps its source: hls.js would start it over.
    if (canUseHls() && !startedNatively()) attachFirstHls(startAt);
  };
  const started = mp4s.length
    // With MP4s on the page, a press of play before hls.js arrives has something to play at
    // once: the controls go up first, and hls.js (five times Plyr's size, its compile a long
    // task) comes after them, once the visitor reaches for the player.
    ? plyrReady.then(firstFrameShown).then(build).catch((e) => console.error(e))
      .then(() => reached).then(firstFrameShown).then(loadHls).then(takeOver)
    // Streaming only: browsers without native HLS have nothing to play before hls.js, so the
    // controls wait for it (Plyr loads meanwhile).
    : firstFrameShown().then(loadHls).then(takeOver).catch((e) => console.error(e))
      .then(() => plyrReady).then(firstFrameShown).then(build);
  started.then(() => { settled = true; });
})();
