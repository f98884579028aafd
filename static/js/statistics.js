// The statistics page's charts (Apache ECharts, served from /static/vendor/echarts/). The numbers come
// from the page's json_script#statistics-charts, the same numbers as each figure's table, which is
// what the page shows without JavaScript and what a screen reader reads (charts are aria-hidden).
(function () {
  "use strict";

  function draw(element, chart) {
    var horizontal = chart.horizontal;
    var unit = chart.unit ? " " + chart.unit : "";
    var categoryAxis = { type: "category", data: chart.categories, axisLabel: { interval: 0, hideOverlap: true } };
    var valueAxis = { type: "value", axisLabel: { formatter: "{value}" + (chart.unit === "%" ? "%" : "") } };
    if (horizontal) { categoryAxis.inverse = true; categoryAxis.axisLabel.width = 160; categoryAxis.axisLabel.overflow = "truncate"; }
    var instance = echarts.init(element, null, { renderer: "svg", locale: "ZH" });
    instance.setOption({
      animation: false,
      tooltip: { trigger: "axis", valueFormatter: function (value) { return value == null ? "—" : value + unit; } },
      legend: { type: "scroll", top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: chart.series.map(function (series) {
        return { type: "bar", name: series.name, data: series.data, stack: series.stack || null, emphasis: { focus: "series" } };
      })
    });
    window.addEventListener("resize", function () { instance.resize(); });
  }

  function init() {
    var source = document.getElementById("statistics-charts");
    if (!source || typeof echarts === "undefined") { return; }
    var charts = JSON.parse(source.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var chart = charts[element.getAttribute("data-chart")];
      if (chart && chart.categories.length) { draw(element, chart); }
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
