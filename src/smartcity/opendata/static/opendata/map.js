// GeoJSON preview: loads the resource from our own origin and fits the map to its features.
(function () {
  "use strict";
  var el = document.getElementById("od-map");
  if (!el || !window.L) { return; }
  var map = L.map(el).setView([51.2277, 6.7735], 11);
  L.tileLayer("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 19, attribution: "© OpenStreetMap-Mitwirkende"
  }).addTo(map);
  fetch(el.dataset.geojson, { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (data) {
      var layer = L.geoJSON(data, {
        onEachFeature: function (feature, lyr) {
          var props = feature.properties || {};
          var name = props.name || props.bezeichnung || props.code || "";
          if (name) { lyr.bindPopup(document.createTextNode(String(name)).textContent); }
        }
      }).addTo(map);
      if (layer.getBounds().isValid()) { map.fitBounds(layer.getBounds()); }
    })
    .catch(function () {
      el.textContent = "Die Karte konnte nicht geladen werden.";
    });
})();
