// Times in a recording, written and read one way by every script: the same rules as the
// server's eventsite/times.py (clock, parse_time), so a time on a card, in the player, in the
// transcript and in a form reads alike ("1:23", "1:02:03"; never "01:23").

const pad = (n) => String(n).padStart(2, "0");

/** Longest time read (a week): anything longer is a typo. */
const MAX_READ_SECONDS = 7 * 24 * 3600;

/**
 * How people write a moment or a length: 75 → "1:15", 3723 → "1:02:03", 59.6 → "0:59";
 * unknown → "–". Truncated, never rounded up: 1:14.9 is still in the 1:14 second.
 * @param {number} seconds
 * @param {number} [decimals] digits of the second, for times an organiser edits (62.5, 3 → "1:02.500")
 * @param {{trim?: boolean}} [options] trim: drop trailing zeros of those digits (62.5, 2 → "1:02.5")
 */
export function clock(seconds, decimals = 0, { trim = false } = {}) {
  if (seconds === null || seconds === undefined || !Number.isFinite(Number(seconds))) return "–";
  const scale = 10 ** decimals;
  const positive = Math.max(0, Number(seconds));
  // a float a hair under its written value (1.001 * 1000 = 1000.9999…) still reads as written
  const ticks = decimals ? Math.floor(positive * scale + 1e-6) : Math.floor(positive);
  const whole = Math.floor(ticks / scale);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const text = (h ? `${h}:${pad(m)}` : String(m)) + ":" + pad(whole % 60);
  let digits = decimals ? String(ticks % scale).padStart(decimals, "0") : "";
  if (trim) digits = digits.replace(/0+$/, "");
  return digits ? `${text}.${digits}` : text;
}

/**
 * Seconds from "90", "62.5", "1:30", "1:02:03", "0:01,500" (SRT's comma), "1m30s" or "1h2m";
 * null if unreadable (or longer than a week).
 * @param {string | null | undefined} value
 * @returns {number | null}
 */
export function parseTime(value) {
  const text = String(value ?? "").trim().toLowerCase().replace(",", ".");
  if (!text || text.length > 24) return null;
  let seconds = null;
  if (text.includes(":")) {
    if (/^\d{1,3}(:[0-5]?\d){1,2}(\.\d+)?$/.test(text)) {
      seconds = text.split(":").reduce((total, part) => total * 60 + Number(part), 0);
    }
  } else {
    const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s?)?$/.exec(text);
    if (m && (m[1] || m[2] || m[3])) seconds = Number(m[1] || 0) * 3600 + Number(m[2] || 0) * 60 + Number(m[3] || 0);
  }
  return seconds !== null && seconds <= MAX_READ_SECONDS ? seconds : null;
}

/** How long something still takes, in words: 45 → "45 s", 290 → "5 min", 5400 → "1.5 h". */
export function timeLeft(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** Every "01:24"-style time in ``text`` written the one way ("1:24"): for what Plyr draws. */
export function plainTimes(text) {
  return text.replace(/\b\d{1,3}(?::\d{2}){1,2}\b/g, (time) => clock(parseTime(time)));
}
