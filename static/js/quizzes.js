/* Attempt page helpers. The page works without this file: htmx autosaves as you type and
   the server enforces the time limit. This adds two things:
   1. a last save when the page is closed or navigated away from (sendBeacon), so the few
      keystrokes inside the autosave debounce are not lost;
   2. a countdown for timed attempts that reloads the page when time is up (the server
      then shows the result of the attempt it finished with the saved answers). */
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  if (!form) return;
  var dirty = false;
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt === form && event.detail.successful) dirty = false;
  });
  window.addEventListener("pagehide", function () {
    if (dirty && navigator.sendBeacon) {
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
