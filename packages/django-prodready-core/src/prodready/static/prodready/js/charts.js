/* Draws every chart on the page with uPlot (vendor/uplot), from the JSON that
   prodready/dashboard/chart.html puts beside each [data-pr-chart] element.
   A static file, like the data (json_script): a Content-Security-Policy without
   'unsafe-inline' allows both. The data's fields: prodready.dashboard.charts.Chart.data. */
(function () {
  "use strict";

  var HEIGHT = 180;
  var COLOURS = ["#4f46e5", "#dc2626", "#059669", "#d97706", "#0891b2"];

  var INTEGER_STEPS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000,
    10000, 20000, 50000, 100000, 200000, 500000, 1000000];

  function counts(chart) {
    return chart.series.every(function (one) {
      return one.values.every(function (value) { return value === null || Number.isInteger(value); });
    });
  }

  function lonely(u, seriesIndex) {
    var values = u.data[seriesIndex];
    var found = [];
    for (var i = 0; i < values.length; i++) {
      if (values[i] != null && values[i - 1] == null && values[i + 1] == null) found.push(i);
    }
    return found;
  }

  function cssVariable(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function number(value) {
    if (value === null || value === undefined) return "\u2013";
    var digits = Math.abs(value) >= 100 || Number.isInteger(value) ? 0 : 1;
    return value.toLocaleString(undefined, { maximumFractionDigits: digits });
  }

  function axis(label, text, grid) {
    return {
      label: label,
      stroke: text,
      labelFont: "600 12px system-ui, sans-serif",
      font: "11px system-ui, sans-serif",
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 },
    };
  }

  function options(chart, width) {
    var text = cssVariable("--muted", "#6b7280");
    var grid = cssVariable("--border", "#e5e7eb");
    var bars = chart.kind === "bars";
    var unit = chart.unit ? " " + chart.unit : "";
    var series = [{ label: chart.xLabel }];
    chart.series.forEach(function (one, index) {
      var colour = COLOURS[index % COLOURS.length];
      series.push({
        label: one.label,
        stroke: colour,
        width: bars ? 0 : 2,
        fill: bars ? colour + "cc" : undefined,
        paths: bars ? uPlot.paths.bars({ size: [0.8, 48] }) : undefined,
        // A value with gaps on both sides draws no line: show it as a dot.
        points: bars ? { show: false } : { show: true, size: 6, filter: lonely },
        spanGaps: false,
        value: function (u, value) { return number(value) + unit; },
      });
    });
    var yAxis = axis(chart.yLabel, text, grid);
    yAxis.size = 56;
    yAxis.values = function (u, ticks) { return ticks.map(number); };
    if (counts(chart)) yAxis.incrs = INTEGER_STEPS;  // no "0.5 sign-ups" on the axis
    var x = chart.x;
    // Bars are centred on their time: half a step of room at each end keeps them whole.
    var half = bars && x.length > 1 ? (x[1] - x[0]) / 2 : 0;
    return {
      width: width,
      height: HEIGHT,
      series: series,
      axes: [axis(chart.xLabel, text, grid), yAxis],
      // The server's times are UTC, and the axis says so.
      tzDate: function (seconds) { return uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC"); },
      scales: {
        x: { time: true, range: function (u, min, max) { return [min - half, max + half]; } },
        // Counts and durations start at zero, so a flat line is not mistaken for a swing.
        y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } },
      },
      cursor: { drag: { x: false, y: false } },
      legend: { show: true },
    };
  }

  function draw(element) {
    var source = element.parentElement.querySelector('script[type="application/json"]');
    if (!source) return;
    var chart = JSON.parse(source.textContent);
    var data = [chart.x].concat(chart.series.map(function (one) { return one.values; }));
    var width = function () { return Math.max(element.clientWidth, 200); };
    var plot = new uPlot(options(chart, width()), data, element);
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        plot.setSize({ width: width(), height: HEIGHT });
      }).observe(element);
    }
    element.setAttribute("data-pr-drawn", "");
  }

  function drawAll() {
    if (typeof uPlot === "undefined") return;
    document.querySelectorAll("[data-pr-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
