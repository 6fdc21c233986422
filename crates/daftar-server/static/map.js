// A map to mark a place on: the inspector's on the case page's sketch form, a citizen's on
// the complaint form. It draws the zones around (and a case's plot) as vector shapes, so it
// works offline, over the municipality's aerial tiles when configured; a click marks the
// place, writing its latitude and longitude into the fields the map names
// (data-lat-input, data-lon-input), which is what is sent. Without this script the fields
// are typed. A button with data-locate fills them from the device's position.
document.addEventListener("DOMContentLoaded", function () {
  var latin = function (value) { return Number(String(value).replace(/[۰-۹]/g, function (d) { return d.charCodeAt(0) - 0x06f0; }).replace("٫", ".")); };
  var boxes = document.querySelectorAll("[data-features][data-lat-input]");
  Array.prototype.forEach.call(boxes, function (box) {
    var data = box.dataset;
    var lat = document.getElementById(data.latInput);
    var lon = document.getElementById(data.lonInput);
    if (!lat || !lon || typeof L === "undefined") return;
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
    else map.setView([Number(data.lat), Number(data.lon)], Number(data.zoom || 17));
    var mark = null;
    function show(at) {
      if (mark) mark.setLatLng(at);
      else mark = L.circleMarker(at, { radius: 8, color: "#1d2733", fillColor: "#f2b705", fillOpacity: 1 }).addTo(map);
    }
    if (lat.value && lon.value && !isNaN(latin(lat.value)) && !isNaN(latin(lon.value))) show([latin(lat.value), latin(lon.value)]);
    map.on("click", function (event) {
      lat.value = event.latlng.lat.toFixed(7);
      lon.value = event.latlng.lng.toFixed(7);
      show(event.latlng);
    });
    box.addEventListener("daftar:located", function () { show([latin(lat.value), latin(lon.value)]); map.panTo([latin(lat.value), latin(lon.value)]); });
  });
  var buttons = document.querySelectorAll("[data-locate]");
  Array.prototype.forEach.call(buttons, function (button) {
    if (!navigator.geolocation) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (position) {
        var lat = document.getElementById(button.dataset.latInput);
        var lon = document.getElementById(button.dataset.lonInput);
        lat.value = position.coords.latitude.toFixed(7);
        lon.value = position.coords.longitude.toFixed(7);
        var box = document.getElementById(button.dataset.locate);
        if (box) box.dispatchEvent(new Event("daftar:located"));
      });
    });
  });
});
