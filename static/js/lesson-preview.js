// Live Markdown preview for the lesson admin: renders through the same code as lesson pages.
(function () {
  "use strict";
  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("id_body_markdown");
    var preview = document.getElementById("lesson-preview");
    if (!source || !preview) return;
    var timer = null;
    function refresh() {
      var body = new URLSearchParams();
      body.set("markdown", source.value);
      fetch(preview.dataset.previewUrl, {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken(), "Content-Type": "application/x-www-form-urlencoded" },
        body: body,
        credentials: "same-origin",
      })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          // The server returns HTML sanitised by nh3, the same as lesson pages show.
          preview.innerHTML = data.html !== undefined ? data.html : "<p>" + (data.error || "Preview failed") + "</p>";
        })
        .catch(function () { preview.textContent = "Preview unavailable (connection problem)."; });
    }
    source.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 400);
    });
  });
})();
