// The discussion under a panel, made nicer with JavaScript. Everything here is an
// enhancement: without it the form posts normally, "Reply" links reload the page
// with ?replytocom=ID, and timestamps link to ?t=SECONDS#player.
import { clock } from "./time.js";

(function start() {
  "use strict";
  // Loaded async, so it never holds DOMContentLoaded: wait for the rest of the page if it is
  // still being parsed.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start, { once: true });
    return;
  }

  var section = document.getElementById("comments");
  if (!section) return;
  var form = document.getElementById("commentform");
  var respond = document.getElementById("respond");
  // Looked up when needed: the player may be added to the page after this script runs.
  function findVideo() { return document.querySelector("video"); }
  var video = findVideo();


  // Timestamps in comments seek the video on this page instead of reloading it.
  section.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-t]");
    var video = findVideo();
    if (!link || !video) return;
    event.preventDefault();
    video.currentTime = Number(link.dataset.t);
    video.scrollIntoView({ behavior: "smooth", block: "center" });
    var playing = video.play();
    if (playing && playing.catch) playing.catch(function () {});
  });

  if (!form || !respond) return;
  var home = respond.parentNode, homeNext = respond.nextSibling;
  var parentField = form.querySelector("input[name=parent_id]");
  var title = document.getElementById("reply-title");
  var cancel = document.getElementById("cancel-comment-reply-link");
  var message = form.querySelector(".form-message");
  var baseTitle = "Leave a Reply";

  function setTitle(name) {
    title.firstChild.textContent = name ? baseTitle + " to " + name + " " : baseTitle + " ";
    var span = title.querySelector(".reply-to-name");
    if (span) span.remove();
  }

  // "Reply" moves the form under the comment's thread: after its replies, never between the
  // comment and them, so the conversation still reads in one piece above the form.
  section.addEventListener("click", function (event) {
    var link = event.target.closest("a.comment-reply-link");
    if (!link) return;
    event.preventDefault();
    var item = document.getElementById("comment-" + link.dataset.replyTo);
    item.append(respond);
    parentField.value = link.dataset.replyTo;
    setTitle(link.dataset.author);
    cancel.hidden = false;
    form.querySelector("textarea").focus();
  });

  function resetPlace() {
    home.insertBefore(respond, homeNext);
    parentField.value = "";
    setTitle("");
    cancel.hidden = true;
  }

  cancel.addEventListener("click", function (event) {
    event.preventDefault();
    resetPlace();
  });

  // Offer to link the comment to the moment the visitor is watching.
  var timeChoice = form.querySelector(".video-time-choice");
  var timeBox = document.getElementById("attach-video-time");
  var timeField = form.querySelector("input[name=video_time]");
  if (video && timeChoice) {
    timeChoice.hidden = false;
    var label = timeChoice.querySelector(".current-video-time");
    video.addEventListener("timeupdate", function () {
      label.textContent = clock(video.currentTime);
    });
  }

  function show(text, kind) {
    message.textContent = "";
    var p = document.createElement("p");
    p.className = "flash flash-" + kind;
    p.textContent = text;
    message.appendChild(p);
  }

  function clearErrors() {
    form.querySelectorAll(".errors.from-script").forEach(function (el) { el.remove(); });
    form.querySelectorAll("[aria-invalid=true]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
  }

  function showErrors(errors) {
    Object.keys(errors || {}).forEach(function (name) {
      var input = form.elements[name];
      if (!input || !input.id) return;
      var list = document.createElement("ul");
      list.className = "errors from-script";
      list.id = input.id + "-script-errors";
      errors[name].forEach(function (text) {
        var li = document.createElement("li");
        li.textContent = text;
        list.appendChild(li);
      });
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", list.id);
      input.after(list);
    });
  }

  function insert(data) {
    var holder = document.createElement("template");
    holder.innerHTML = data.html; // server-rendered and sanitised
    var item = holder.content.firstElementChild;
    var list = section.querySelector(".comment-list");
    if (data.parent_id) {
      var parent = document.getElementById("comment-" + data.parent_id);
      if (parent) {
        list = parent.querySelector(":scope > ol.children");
        if (!list) {
          list = document.createElement("ol");
          list.className = "children";
          parent.appendChild(list);
        }
      }
    }
    list.hidden = false;
    // With the newest threads first, a new thread goes to the top of page 1.
    if (!data.parent_id && section.dataset.order === "newest") list.prepend(item);
    else list.appendChild(item);
    return item;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var player = findVideo();
    if (timeField) timeField.value = timeBox && timeBox.checked && player ? player.currentTime.toFixed(1) : "";
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    clearErrors();
    var body = new FormData(form);
    fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": body.get("csrf_token") || "" },
    })
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; },
          function () { return { ok: false, data: { message: "Sorry, something went wrong. Please try again." } }; });
      })
      .then(function (result) {
        if (!result.ok) {
          // the server's fresh form time: posting again after a fix (or after
          // "This form is too old") counts from now
          var started = form.querySelector("input[name=started]");
          if (started && result.data.started) started.value = result.data.started;
          show(result.data.message || "Please check the form.", "error");
          showErrors(result.data.errors);
          return;
        }
        form.querySelector("textarea").value = "";
        resetPlace();
        show(result.data.message, "success");
        // A new thread can belong on another page (the last one, with the oldest
        // threads first): go there, where the server shows it in its place.
        if (result.data.page && String(result.data.page) !== (section.dataset.page || "1")) {
          window.location.assign(result.data.url);
          return;
        }
        if (result.data.html) {
          var item = insert(result.data);
          item.scrollIntoView({ block: "nearest" });
          history.replaceState(null, "", "#comment-" + result.data.id);
        }
      })
      .catch(function () {
        show("We couldn't reach the site. Check your connection and try again; your text is still here.", "error");
      })
      .finally(function () { button.disabled = false; });
  });
})();
