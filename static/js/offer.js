// The free-guide box beside the video answers in place: the sign-up goes by fetch, and the
// answer (check your inbox, a missing tick, too many tries on shared Wi-Fi) shows inside the
// box, so the video keeps playing. Without script, or if the site can't be reached, the form
// posts as a normal page.
(function () {
  "use strict";
  var box = document.querySelector("[data-offer-block]");
  var form = box && box.querySelector("form.offer-form");
  if (!form || !window.fetch) return;
  var answer = box.querySelector("[data-offer-answer]");

  function say(message, kind) {
    answer.textContent = message;
    answer.className = "offer-answer flash flash-" + kind;
    answer.setAttribute("role", kind === "error" ? "alert" : "status");
    answer.hidden = false;
  }

  function clearErrors() {
    form.querySelectorAll(".errors.from-script").forEach(function (el) { el.remove(); });
    form.querySelectorAll("[aria-invalid=true]").forEach(function (el) { el.setAttribute("aria-invalid", "false"); });
  }

  function showErrors(errors) {
    Object.keys(errors || {}).forEach(function (name) {
      var input = form.querySelector("[name='offer-" + name + "']");
      if (!input) return;
      var list = document.createElement("ul");
      list.className = "errors from-script";
      list.id = input.id + "-script-errors";
      errors[name].forEach(function (text) {
        var item = document.createElement("li");
        item.textContent = text;
        list.append(item);
      });
      input.closest(".field").append(list);
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", list.id);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    clearErrors();
    var body = new FormData(form);
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      })
      .then(function (result) {
        if (result.ok) {
          form.hidden = true;
          say(result.data.message, "success");
          return;
        }
        var started = form.querySelector("input[name='offer-started']");
        if (started && result.data.started) started.value = result.data.started;
        say(result.data.message || result.data.error || "Please check the form.", "error");
        showErrors(result.data.errors);
      })
      .catch(function () { form.submit(); })  // the plain page answers instead
      .finally(function () { button.disabled = false; });
  });
})();
