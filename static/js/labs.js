// Lab charts: Chart.js charts that grow as the run's status partial is swapped in by htmx.
// The chart data comes from a JSON <script> in the partial; charts live outside it, so
// they are updated in place rather than redrawn. Straight segments between measured points
// (no spline tension): a curve would overshoot and show values no run measured.
(function () {
  "use strict";
  var charts = {};
  var COLORS = ["#2747b8", "#c0392b", "#1f7a3a", "#d68910", "#7d3c98", "#148f77", "#5d6d7e", "#a04000"];

  function container() { return document.querySelector("[data-charts]"); }

  function datasets(spec) {
    return spec.lines.map(function (line, i) {
      var color = COLORS[i % COLORS.length];
      return {
        label: line.label,
        data: spec.numeric_x
          ? line.points.map(function (p) { return { x: p[0], y: p[1] }; })
          : line.points.map(function (p) { return p[1]; }),
        borderColor: color, backgroundColor: color,
        borderWidth: 2, tension: 0, pointRadius: spec.numeric_x && line.points.length < 12 ? 3 : 0,
      };
    });
  }

  function labels(spec) {
    if (spec.numeric_x) return undefined;
    var seen = [];
    spec.lines.forEach(function (line) {
      line.points.forEach(function (p) { if (seen.indexOf(p[0]) < 0) seen.push(p[0]); });
    });
    return seen;
  }

  function draw(spec) {
    if (!window.Chart || !container()) return;
    var existing = charts[spec.id];
    if (existing) {
      existing.data.datasets = datasets(spec);
      if (!spec.numeric_x) existing.data.labels = labels(spec);
      existing.update("none");
      return;
    }
    var figure = document.createElement("figure");
    figure.className = "chart";
    var caption = document.createElement("figcaption");
    caption.textContent = spec.title;
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", spec.title + ": " + spec.y_label + " by " + spec.x_label);
    figure.appendChild(caption);
    figure.appendChild(canvas);
    figure.dataset.chart = spec.id;
    container().appendChild(figure);
    charts[spec.id] = new window.Chart(canvas, {
      type: spec.numeric_x ? "line" : "bar",
      data: { labels: labels(spec), datasets: datasets(spec) },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false, parsing: true,
        interaction: { mode: "nearest", intersect: false },
        scales: {
          x: spec.numeric_x ? { type: "linear", title: { display: true, text: spec.x_label } }
                            : { type: "category", title: { display: true, text: spec.x_label } },
          y: { title: { display: true, text: spec.y_label } },
        },
        plugins: { legend: { display: spec.lines.length > 1 } },
      },
    });
  }

  function render() {
    var source = document.getElementById("run-charts") || document.getElementById("compare-charts");
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var specs = Array.isArray(data) ? data : data.live.concat(data.final);
    // A finished run's result charts replace the live charts they draw again: drop any
    // chart the data no longer lists, so nothing shows twice.
    var wanted = specs.map(function (s) { return s.id; });
    Object.keys(charts).forEach(function (id) {
      if (wanted.indexOf(id) >= 0) return;
      var figure = charts[id].canvas.closest("figure");
      charts[id].destroy();
      delete charts[id];
      if (figure) figure.remove();
    });
    specs.forEach(draw);
    var root = container();
    if (root) root.dataset.points = String(specs.reduce(function (n, s) {
      return n + s.lines.reduce(function (m, l) { return m + l.points.length; }, 0);
    }, 0));
  }

  document.addEventListener("DOMContentLoaded", render);
  document.addEventListener("htmx:afterSwap", render);
})();
