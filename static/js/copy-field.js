// A "Copy" button for read-only fields (a new API token). Without JavaScript the
// button stays hidden and the field is still there to select and copy by hand.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector("[data-copy-status]");
    if (!field) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      field.select();
      var said = function (text) { if (status) status.textContent = text; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(
          function () { said("Copied."); },
          function () { said("Press Ctrl+C (or ⌘C) to copy what is selected."); }
        );
      } else {
        said(document.execCommand && document.execCommand("copy") ? "Copied." : "Press Ctrl+C (or ⌘C) to copy what is selected.");
      }
    });
  });
})();
