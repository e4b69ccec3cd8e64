// ESLint (flat config): the site's own scripts, run by scripts/test.sh. static/js/* are ES
// modules (they share static/js/time.js) except the three small classic scripts listed below.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["static/vendor/**", "node_modules/**", ".venv/**", "media/**", "instance/**", "bench/work/**"] },
  js.configs.recommended,
  {
    files: ["static/js/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: { ...globals.browser } },
    rules: {
      eqeqeq: ["error", "always", { null: "ignore" }],
      "no-implicit-globals": "error",
    },
  },
  {
    // classic scripts: nothing to import, so no need to be modules
    files: ["static/js/copy-field.js", "static/js/moderation.js", "static/js/offer.js"],
    languageOptions: { sourceType: "script" },
  },
  { files: ["static/js/upload.js"], languageOptions: { globals: { tus: "readonly" } } },
  { files: ["scripts/**/*.mjs", "eslint.config.mjs"], languageOptions: { globals: { ...globals.node } } },
];
