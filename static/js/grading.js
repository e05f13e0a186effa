/* Grading one answer by keyboard. The page works without this file (radios, a comment,
   two submit buttons); this adds:
   - 1-9: choose that level of the current criterion, then move to the next criterion;
   - Left/Right: change the level (the radio group's own keys), Up/Down: change criterion;
   - Enter (Ctrl+Enter or Cmd+Enter in the comment): save and open the next answer. */
(function () {
  "use strict";
  var form = document.getElementById("grade-form");
  if (!form) return;
  var groups = Array.prototype.slice.call(form.querySelectorAll("[data-criterion]"));
  var next = form.querySelector('button[value="next"]');
  var current = 0;

  function radios(i) { return groups[i].querySelectorAll('input[type="radio"]'); }
  function mark() {
    groups.forEach(function (group, i) { group.classList.toggle("is-current", i === current); });
  }
  function focusGroup(i) {
    if (!groups.length) return;
    current = Math.max(0, Math.min(groups.length - 1, i));
    var checked = groups[current].querySelector("input:checked");
    (checked || radios(current)[0]).focus();
    mark();
  }
  function saveAndNext() {
    if (form.requestSubmit) form.requestSubmit(next); else next.click();
  }
  groups.forEach(function (group, i) {
    group.addEventListener("focusin", function () { current = i; mark(); });
  });
  form.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target.tagName === "TEXTAREA" ||
      (target.tagName === "INPUT" && target.type !== "radio");
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      saveAndNext();
      return;
    }
    if (typing || event.altKey || event.ctrlKey || event.metaKey) return;
    if (/^[1-9]$/.test(event.key) && groups.length) {
      var options = radios(current), n = Number(event.key) - 1;
      if (n < options.length) {
        event.preventDefault();
        options[n].checked = true;
        if (current < groups.length - 1) focusGroup(current + 1); else options[n].focus();
      }
    } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && target.type === "radio") {
      event.preventDefault();
      focusGroup(current + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && target.tagName !== "BUTTON") {
      event.preventDefault();
      saveAndNext();
    }
  });
  if (groups.length) focusGroup(0);
  else if (form.elements.points) form.elements.points.focus();
})();
