/* Attempt page helpers. The page works without this file: htmx autosaves as you type and
   the server enforces the time limit. This adds three things:
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
  // The answers as the server last accepted them, against the answers on the page now. A
  // snapshot, not a count of input events: keys typed before this deferred script ran (a
  // fast typist, a slow page) still count as unsaved, and the server-rendered values
  // (defaultValue, defaultChecked) are what the server holds when the page loads.
  function answers(asRendered) {
    var pairs = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name.indexOf("q-") !== 0) return;
      if (el.type === "checkbox" || el.type === "radio") {
        if (asRendered ? el.defaultChecked : el.checked) pairs.push([el.name, el.value]);
      } else {
        pairs.push([el.name, asRendered ? el.defaultValue : el.value]);
      }
    });
    return JSON.stringify(pairs);
  }
  // Submitting is final: ask first (a data attribute, not an inline onclick, which the
  // Content-Security-Policy refuses).
  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
  });
  // An answer the server refused (a 400 says why, as text): show it where "Saved at" goes.
  document.body.addEventListener("htmx:responseError", function (event) {
    var status = document.getElementById("save-status");
    if (event.detail.elt !== form || !status || event.detail.xhr.status !== 400) return;
    status.textContent = "Not saved: " + event.detail.xhr.responseText;
    status.classList.add("error");
  });
  var saved = answers(true), sending = saved;
  function dirty() { return answers(false) !== saved; }
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt === form) sending = answers(false);
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt === form && event.detail.successful) saved = sending;
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
