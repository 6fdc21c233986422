// The sketch's drawing board, on the case page of an inspector: click the corners of a
// part on a grid in metres (x east, y north), type an edge's measured length to fix it,
// and add the part; each part becomes one line of the sketch's text form, which is what
// is sent. Without this script the same form takes the corners as numbers, and the server
// checks the sketch either way. The labels come from the board's data attributes, in the
// page's language.
document.addEventListener("DOMContentLoaded", function () {
  var board = document.getElementById("sketch-draw");
  var text = document.getElementById("sketch-text");
  if (!board || !text) return;
  var label = board.dataset;
  var SVG = "http://www.w3.org/2000/svg";
  var WIDTH = 30, HEIGHT = 20, SNAP = 0.5;
  var persian = document.documentElement.lang === "fa";
  var number = new Intl.NumberFormat(persian ? "fa-IR" : "en", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var whole = new Intl.NumberFormat(persian ? "fa-IR" : "en");
  var corners = [];
  var typed = {};

  function element(name, attributes, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (parent) parent.appendChild(node);
    return node;
  }
  function html(name, attributes, parent) {
    var node = document.createElement(name);
    Object.keys(attributes).forEach(function (key) {
      if (key === "text") node.textContent = attributes[key]; else node.setAttribute(key, attributes[key]);
    });
    if (parent) parent.appendChild(node);
    return node;
  }
  function round(value) { return Math.round(value * 100) / 100; }
  function length(a, b) { return Math.hypot(b[0] - a[0], b[1] - a[1]); }
  function area(points) {
    var sum = 0;
    for (var i = 0; i < points.length; i++) {
      var a = points[i], b = points[(i + 1) % points.length];
      sum += a[0] * b[1] - b[0] * a[1];
    }
    return Math.abs(sum) / 2;
  }
  function toLatin(value) { return value.replace(/[۰-۹]/g, function (d) { return String(d.charCodeAt(0) - 0x06f0); }).replace("٫", "."); }

  // The controls: the floor's level, the part's use, and what to do with the corners.
  var controls = html("div", { class: "sketch-controls" }, board);
  var levelField = html("div", {}, controls);
  html("label", { for: "draw-level", text: label.level }, levelField);
  var level = html("input", { id: "draw-level", type: "number", value: "0", min: "-10", max: "80", dir: "ltr" }, levelField);
  var useField = html("div", {}, controls);
  html("label", { for: "draw-use", text: label.use }, useField);
  var use = html("select", { id: "draw-use" }, useField);
  label.uses.split(";").forEach(function (pair) {
    var parts = pair.split("=");
    html("option", { value: parts[0], text: parts[1] }, use);
  });
  var buttons = html("div", { class: "sketch-buttons" }, controls);
  var undo = html("button", { type: "button", class: "secondary", id: "draw-undo", text: label.undo }, buttons);
  var add = html("button", { type: "button", id: "draw-add", text: label.add }, buttons);

  var svg = element("svg", { viewBox: "-1 -1 " + (WIDTH + 2) + " " + (HEIGHT + 2), id: "draw-board", role: "img", "aria-label": label.board, dir: "ltr" }, board);
  for (var x = 0; x <= WIDTH; x++) element("line", { x1: x, y1: 0, x2: x, y2: HEIGHT, class: x % 5 ? "grid" : "grid major" }, svg);
  for (var y = 0; y <= HEIGHT; y++) element("line", { x1: 0, y1: y, x2: WIDTH, y2: y, class: y % 5 ? "grid" : "grid major" }, svg);
  // The plot's outline from the GIS, when known: drawn against it.
  if (label.outline) {
    var plot = element("polygon", { points: label.outline.split(" ").map(function (pair) {
      var xy = pair.split(",").map(Number);
      return xy[0] + "," + (HEIGHT - xy[1]);
    }).join(" "), class: "plot-outline" }, svg);
    element("title", {}, plot).textContent = label.outlineLabel;
  }
  var drawn = element("g", {}, svg);
  var status = html("p", { id: "draw-status", "aria-live": "polite" }, board);
  var edgeList = html("ol", { id: "draw-edges", class: "draw-edges" }, board);
  var floorsList = html("ul", { id: "draw-floors", class: "draw-floors" }, board);

  // The parts already in the form, read back for the floor areas and the faint outlines.
  function partsInForm() {
    return text.value.split("\n").map(function (line) {
      var match = toLatin(line).match(/^\s*(-?\d+)\s+([^:]+):([^|]*)/);
      if (!match) return null;
      var points = match[3].trim().split(/\s+/).map(function (pair) {
        var xy = pair.split(/[,،]/).map(Number);
        return xy.length === 2 && !isNaN(xy[0]) && !isNaN(xy[1]) ? xy : null;
      }).filter(Boolean);
      return { level: Number(match[1]), points: points };
    }).filter(function (part) { return part && part.points.length >= 3; });
  }

  function redraw() {
    while (drawn.firstChild) drawn.removeChild(drawn.firstChild);
    var parts = partsInForm();
    var floors = {};
    parts.forEach(function (part) {
      floors[part.level] = (floors[part.level] || 0) + area(part.points);
      if (String(part.level) === level.value) {
        element("polygon", { points: part.points.map(function (p) { return p[0] + "," + (HEIGHT - p[1]); }).join(" "), class: "kept" }, drawn);
      }
    });
    if (corners.length) {
      var path = corners.map(function (p) { return p[0] + "," + (HEIGHT - p[1]); }).join(" ");
      element(corners.length > 2 ? "polygon" : "polyline", { points: path, class: "drawing" }, drawn);
    }
    corners.forEach(function (p, i) {
      element("circle", { cx: p[0], cy: HEIGHT - p[1], r: 0.25, class: "corner" }, drawn);
      if (corners.length < 2) return;
      var next = corners[(i + 1) % corners.length];
      if (i === corners.length - 1 && corners.length < 3) return;
      var caption = element("text", { x: (p[0] + next[0]) / 2, y: HEIGHT - (p[1] + next[1]) / 2 - 0.3, class: "edge-length" }, drawn);
      caption.textContent = number.format(length(p, next));
    });
    // Each edge, its length as drawn, and a field to type the length measured.
    while (edgeList.firstChild) edgeList.removeChild(edgeList.firstChild);
    corners.forEach(function (p, i) {
      if (corners.length < 2 || (i === corners.length - 1 && corners.length < 3)) return;
      var next = corners[(i + 1) % corners.length];
      var item = html("li", {}, edgeList);
      var id = "draw-edge-" + (i + 1);
      html("label", { for: id, text: label.edge.replace("%n", whole.format(i + 1)) }, item);
      var input = html("input", { id: id, inputmode: "decimal", dir: "ltr", value: String(round(length(p, next))) }, item);
      // The closing edge follows from the others: it cannot be typed.
      if (i === corners.length - 1) input.readOnly = true;
      input.addEventListener("change", function () { fixEdge(i, Number(toLatin(input.value))); });
    });
    status.textContent = corners.length >= 3 ? label.area.replace("%area", number.format(area(corners))) : label.hint;
    while (floorsList.firstChild) floorsList.removeChild(floorsList.firstChild);
    Object.keys(floors).sort(function (a, b) { return a - b; }).forEach(function (key) {
      html("li", { text: label.floor.replace("%level", whole.format(Number(key))).replace("%area", number.format(floors[key])) }, floorsList);
    });
  }

  // A measured length moves the edge's far corner along the edge, and the corners after
  // it with it: the shape keeps its angles.
  function fixEdge(i, measured) {
    if (!(measured > 0) || i >= corners.length - 1) { redraw(); return; }
    var a = corners[i], b = corners[i + 1], drawnLength = length(a, b);
    if (drawnLength === 0) return;
    var scale = measured / drawnLength;
    var dx = a[0] + (b[0] - a[0]) * scale - b[0], dy = a[1] + (b[1] - a[1]) * scale - b[1];
    for (var k = i + 1; k < corners.length; k++) corners[k] = [round(corners[k][0] + dx), round(corners[k][1] + dy)];
    typed[i] = measured;
    redraw();
  }

  svg.addEventListener("click", function (event) {
    var point = svg.createSVGPoint();
    point.x = event.clientX; point.y = event.clientY;
    var at = point.matrixTransform(svg.getScreenCTM().inverse());
    var x = Math.round(at.x / SNAP) * SNAP, y = Math.round((HEIGHT - at.y) / SNAP) * SNAP;
    if (x < 0 || x > WIDTH || y < 0 || y > HEIGHT) return;
    corners.push([x, y]);
    redraw();
  });
  undo.addEventListener("click", function () { corners.pop(); typed = {}; redraw(); });
  add.addEventListener("click", function () {
    if (corners.length < 3) { status.textContent = label.few; return; }
    var edges = corners.map(function (p, i) { return round(typed[i] || length(p, corners[(i + 1) % corners.length])); });
    var line = level.value + " " + use.value + ": " + corners.map(function (p) { return p[0] + "," + p[1]; }).join(" ") +
      " | " + edges.join(" ");
    text.value = (text.value.trim() ? text.value.replace(/\s*$/, "\n") : "") + line;
    corners = []; typed = {};
    redraw();
  });
  level.addEventListener("change", redraw);
  text.addEventListener("input", redraw);
  board.hidden = false;
  redraw();
});
