// Flashcards: reveal by click, tap, Space or Enter (the face is a real <button>); rate with
// keys 1-4. Without this script the face submits a GET form that reveals the card.
(function () {
  "use strict";
  var lastRevealed = null;

  function setRevealed(card, revealed) {
    var face = card.querySelector("[data-flashcard-toggle]");
    var back = card.querySelector(".flashcard-back");
    if (!face || !back) return;
    back.hidden = !revealed;
    face.setAttribute("aria-expanded", revealed ? "true" : "false");
    card.classList.toggle("is-revealed", revealed);
    var hint = face.querySelector(".flashcard-hint");
    if (hint) hint.textContent = "Click, tap, Space or Enter to " + (revealed ? "hide" : "reveal") + " the answer";
    lastRevealed = revealed ? card : null;
  }

  document.addEventListener("click", function (event) {
    var face = event.target.closest("[data-flashcard-toggle]");
    if (!face) return;
    event.preventDefault();
    var card = face.closest("[data-flashcard]");
    setRevealed(card, face.getAttribute("aria-expanded") !== "true");
  });

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (!/^[1-4]$/.test(event.key)) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var card = (target && target.closest && target.closest("[data-flashcard].is-revealed")) || lastRevealed;
    if (!card || !document.body.contains(card)) return;
    var button = card.querySelector('button[data-rating="' + event.key + '"]');
    if (button && !button.disabled) {
      event.preventDefault();
      button.click();
    }
  });

  // After htmx swaps in the next card (review page) or the rated card, keep keyboard focus.
  document.addEventListener("htmx:afterSwap", function (event) {
    lastRevealed = null;
    var next = event.target.querySelector ? event.target.querySelector("[data-autofocus]") : null;
    var target = next || (event.target.matches && event.target.matches("[data-flashcard]") ? event.target.querySelector("[data-flashcard-toggle]") : null);
    if (target) target.focus();
  });
})();
