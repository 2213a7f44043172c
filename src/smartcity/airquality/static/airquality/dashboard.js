// Air-quality dashboard: Leaflet map and uPlot charts. Data comes from JSON blocks in the page (strict CSP).
(function () {
  "use strict";
  var COLOURS = ["#50f0e6", "#50ccaa", "#f0e641", "#ff5050", "#960032"];

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function popup(station) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = station.url;
    link.textContent = station.name;
    box.appendChild(link);
    Object.keys(station.values).forEach(function (code) {
      var line = document.createElement("div");
      line.textContent = code + ": " + station.values[code] + " µg/m³";
      box.appendChild(line);
    });
    if (station.label) {
      var idx = document.createElement("strong");
      idx.textContent = station.label;
      box.appendChild(idx);
    }
    return box;
  }

  function map() {
    var el = document.getElementById("aq-map");
    var stations = data("aq-map-data");
    if (!el || !stations || !window.L) return;
    var m = window.L.map(el).setView([51.225, 6.78], 12);
    m.attributionControl.setPrefix(false);  // the default prefix carries an SVG with inline styles (CSP)
    window.L.tileLayer("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 18, attribution: "© OpenStreetMap"
    }).addTo(m);
    stations.forEach(function (s) {
      window.L.circleMarker([s.lat, s.lon], {
        radius: s.citizen ? 7 : 11, color: "#222", weight: 1, fillOpacity: 0.9,
        fillColor: s.index === null ? "#999" : COLOURS[s.index]
      }).bindPopup(popup(s)).addTo(m);
    });
  }

  function plot(el, title, unit, x, ys, labels) {
    var series = [{}];
    labels.forEach(function (label, i) {
      // the measured series first, then the limit lines (dashed)
      series.push(i === 0 ? { label: label, stroke: "#0b5394", width: 1.5 }
                          : { label: label, stroke: "#c00", width: 1, dash: [6, 4] });
    });
    var opts = {
      title: title, width: Math.max(el.clientWidth, 320), height: 260, series: series,
      axes: [{}, { label: unit }]
    };
    new window.uPlot(opts, [x].concat(ys), el);
  }

  function stationCharts() {
    var charts = data("aq-charts");
    if (!charts || !window.uPlot) return;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var cfg = charts.filter(function (c) { return c.id === el.dataset.chart; })[0];
      if (!cfg) return;
      var rows = el.dataset.resolution === "hourly" ? cfg.hourly : cfg.daily;
      var want = el.dataset.resolution === "hourly" ? "1h" : "24h";
      var x = rows.map(function (r) { return r[0]; });
      var ys = [rows.map(function (r) { return r[1]; })];
      var labels = [cfg.title];
      cfg.limits.filter(function (l) { return l.averaging === want; }).forEach(function (l) {
        ys.push(x.map(function () { return l.value; }));
        labels.push(l.label);
      });
      plot(el, cfg.title + (want === "1h" ? " (1 h)" : " (24 h)"), cfg.unit, x, ys, labels);
    });
  }

  function compareChart() {
    var el = document.querySelector("[data-compare]");
    var cfg = el && data(el.dataset.compare);
    if (!cfg || !window.uPlot) return;
    var palette = ["#0b5394", "#e69138", "#6aa84f", "#a64d79", "#3d85c6", "#cc0000", "#674ea7"];
    var series = [{}].concat(cfg.series.map(function (name, i) {
      return { label: name, stroke: palette[i % palette.length], width: 1.5 };
    }));
    new window.uPlot({ title: cfg.title, width: Math.max(el.clientWidth, 320), height: 300, series: series,
      axes: [{}, { label: cfg.unit }] }, [cfg.x].concat(cfg.ys), el);
  }

  document.addEventListener("DOMContentLoaded", function () {
    map();
    stationCharts();
    compareChart();
  });
})();
