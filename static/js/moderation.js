// The moderation queue: a "select every comment on this page" box in the table's head.
// Without script the box stays hidden and each row's own box still works.
(function () {
  "use strict";
  var form = document.querySelector("[data-moderation]");
  var all = form && form.querySelector("[data-select-all]");
  if (!all) return;
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=ids]"));
  all.hidden = false;
  function reflect() {
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    all.checked = ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
  }
  all.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = all.checked; });
  });
  boxes.forEach(function (box) { box.addEventListener("change", reflect); });
  reflect();
})();
