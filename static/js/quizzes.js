/* Attempt page helpers. The page works without this file: htmx autosaves as you type and
   the server enforces the time limit. This adds two things:
   1. a last save when the page is closed or navigated away from (sendBeacon), so the few
      keystrokes inside the autosave debounce are not lost;
   2. a save every few seconds while someone types without pausing (the debounce alone
      would wait for the pause);
   3. a countdown for timed attempts that reloads the page when time is up (the server
      then shows the result of the attempt it finished with the saved answers). */
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  if (!form) return;
  // Edits made since the last autosave that the server accepted.
  var edits = 0, sending = 0, saved = 0;
  function dirty() { return edits > saved; }
  form.addEventListener("input", function () { edits++; });
  form.addEventListener("change", function () { edits++; });
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt === form) sending = edits;
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt === form && event.detail.successful) saved = Math.max(saved, sending);
  });
  window.setInterval(function () {
    if (dirty() && window.htmx) window.htmx.trigger(form, "autosave");
  }, 4000);
  window.addEventListener("pagehide", function () {
    if (dirty() && navigator.sendBeacon) {
      navigator.sendBeacon(form.getAttribute("hx-post"), new FormData(form));
    }
  });
  window.addEventListener("pageshow", function (event) {
    // Restored from the back/forward cache: the revisions on the page may be old.
    if (event.persisted) window.location.reload();
  });
  var clock = document.querySelector("[data-deadline]");
  if (!clock) return;
  var deadline = Date.parse(clock.getAttribute("data-deadline"));
  var output = document.getElementById("time-left");
  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    if (output) output.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    if (left === 0) {
      window.setTimeout(function () { window.location.reload(); }, 6000);
      return;
    }
    window.setTimeout(tick, 1000);
  }
  tick();
})();
