// Dashboard charts. Each <canvas data-chart-source="id"> is drawn from the JSON of the
// <script type="application/json" id="id"> next to it (Django's json_script), so the page
// carries no inline script. The JSON is a Chart.js config (type, labels, datasets) plus flags:
// stacked, horizontal, percent (0-100 % axis), legend (false hides it).
(function () {
  "use strict";
  if (!window.Chart) {
    return;
  }

  const percent = (value) => (value === null || value === undefined ? "—" : `${value}%`);
  // Long names (partners, offices, PKs) are shortened on the axis; the tooltip shows them whole.
  const MAX_LABEL = window.matchMedia("(max-width: 576px)").matches ? 18 : 30;
  function shortLabel(value) {
    const label = String(this.getLabelForValue(value));
    return label.length > MAX_LABEL ? `${label.slice(0, MAX_LABEL - 1)}…` : label;
  }

  function options(config) {
    const valueAxis = config.horizontal ? "x" : "y";
    const scales = {};
    if (config.type === "bar" || config.type === "line") {
      scales[valueAxis] = { beginAtZero: true, stacked: !!config.stacked, ticks: { precision: 0 } };
      scales[valueAxis === "x" ? "y" : "x"] = {
        stacked: !!config.stacked,
        ticks: { autoSkip: config.type === "line", maxRotation: 0, callback: shortLabel },
      };
      if (config.percent) {
        scales[valueAxis].max = 100;
        scales[valueAxis].ticks.callback = percent;
      }
    }
    return {
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: config.horizontal ? "y" : "x",
      scales: scales,
      plugins: {
        legend: { display: config.legend !== false, position: "bottom" },
        tooltip: config.percent
          ? { callbacks: { label: (item) => `${item.dataset.label}: ${percent(item.raw)}` } }
          : {},
      },
    };
  }

  function draw(canvas) {
    const source = document.getElementById(canvas.dataset.chartSource);
    if (!source) {
      return;
    }
    const config = JSON.parse(source.textContent);
    const box = canvas.parentElement;
    // A fixed-height box: with maintainAspectRatio off the chart fills it at any width.
    box.style.position = "relative";
    box.style.height = `${parseInt(box.dataset.height || "260", 10)}px`;
    new window.Chart(canvas, {
      type: config.type,
      data: { labels: config.labels, datasets: config.datasets },
      options: options(config),
    });
  }

  document.querySelectorAll("canvas[data-chart-source]").forEach(draw);
})();
