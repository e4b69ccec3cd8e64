// Copy the browser builds of our npm packages into static/vendor/ (git-ignored),
// so pages load them from our own origin. The list is the only thing to edit.
import { cpSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";

const FILES = {
  "axe-core/axe.min.js": "axe.min.js",
  "tus-js-client/dist/tus.min.js": "tus.min.js",
  "plyr/dist/plyr.min.js": "plyr.min.js",
  "plyr/dist/plyr.css": "plyr.css",
  "plyr/dist/plyr.svg": "plyr.svg",
  "hls.js/dist/hls.min.js": "hls.min.js",
};

// Only the tests load axe (a devDependency); `npm ci --omit=dev` leaves it out, and so does this.
const DEV_ONLY = new Set(["axe-core/axe.min.js"]);

const root = join(dirname(new URL(import.meta.url).pathname), "..");
const out = join(root, "static", "vendor");
mkdirSync(out, { recursive: true });
for (const [from, to] of Object.entries(FILES)) {
  const src = join(root, "node_modules", from);
  if (!existsSync(src)) {
    if (DEV_ONLY.has(from)) continue;
    console.error(`missing ${src}: run npm ci`);
    process.exit(1);
  }
  mkdirSync(dirname(join(out, to)), { recursive: true });
  cpSync(src, join(out, to));
}
