// The inspector's map, on the case page's sketch form: the zones around the property and
// its plot as vector shapes (so it works offline), over the municipality's aerial tiles
// when configured; a click marks the property, writing its latitude and longitude into
// the form's fields, which is what is sent. Without this script the fields are typed.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("sketch-map");
  var lat = document.getElementById("sketch-lat");
  var lon = document.getElementById("sketch-lon");
  if (!box || !lat || !lon || typeof L === "undefined") return;
  var data = box.dataset;
  box.hidden = false;
  var map = L.map(box, { attributionControl: Boolean(data.tiles) });
  if (data.tiles) L.tileLayer(data.tiles, { maxZoom: 20, attribution: data.attribution || "" }).addTo(map);
  var colours = { housing: "#b7791f", activity: "#1f4e8c", mixed: "#7b3f98", green: "#0b6e4f" };
  var shapes = L.geoJSON(JSON.parse(data.features), {
    style: function (feature) {
      var p = feature.properties;
      return p.kind === "plot"
        ? { color: "#a3261b", weight: 3, fill: false }
        : { color: colours[p.family] || "#4f5b69", weight: 1, fillOpacity: 0.15 };
    },
    onEachFeature: function (feature, layer) {
      if (feature.properties.kind === "zone") layer.bindTooltip(feature.properties.code);
    },
  }).addTo(map);
  var plot = null;
  shapes.eachLayer(function (layer) { if (layer.feature.properties.kind === "plot") plot = layer; });
  if (plot) map.fitBounds(plot.getBounds(), { maxZoom: 20, padding: [40, 40] });
  else map.setView([Number(data.lat), Number(data.lon)], 17);
  var mark = null;
  function show(at) {
    if (mark) mark.setLatLng(at);
    else mark = L.circleMarker(at, { radius: 8, color: "#1d2733", fillColor: "#f2b705", fillOpacity: 1 }).addTo(map);
  }
  var latin = function (value) { return Number(String(value).replace(/[۰-۹]/g, function (d) { return d.charCodeAt(0) - 0x06f0; }).replace("٫", ".")); };
  if (lat.value && lon.value && !isNaN(latin(lat.value)) && !isNaN(latin(lon.value))) show([latin(lat.value), latin(lon.value)]);
  map.on("click", function (event) {
    lat.value = event.latlng.lat.toFixed(7);
    lon.value = event.latlng.lng.toFixed(7);
    show(event.latlng);
  });
});
