// The map's data layers, made once per mounted map and refilled in place on every filter or layer
// change (the app sends only a new payload; Leaflet, the basemap and the place names stay loaded).
// data: {key, fit, fitKey, fitOnLoad, points, areas, heat, legend}; see geo/view/mapdata.py.
window.incidentMapData = function (map, data) {
  var self = map.__incidentData;
  if (!self) {
    self = map.__incidentData = {key: null, fitKey: null, areas: {}, heat: null, legend: null,
      time: window.incidentTimeLayer(map, {interval: data.interval})};
    var Legend = L.Control.extend({options: {position: 'topright'}, onAdd: function () {
      return L.DomUtil.create('div', 'map-note');
    }});
    self.legend = new Legend().addTo(map);
    map.on('incidenttime', function (e) {
      for (var id in self.areas) { self.areas[id].follow(e.lo, e.hi, e.all); }
    });
  }
  // the map is fitted when it opens without a view of its own, and on every filter change
  var firstFit = self.fitKey === null;
  if (data.fit && (firstFit ? data.fitOnLoad : data.fitKey !== self.fitKey)) {
    window.incidentFit(map, data.fit);
  }
  self.fitKey = data.fitKey;
  if (data.key === self.key) { return self; }  // same data (a click or a selection): nothing to redraw
  self.key = data.key;

  self.legend.getContainer().innerHTML = data.legend;
  var wanted = {};
  data.areas.forEach(function (spec) {
    wanted[spec.id] = true;
    var layer = self.areas[spec.id] || (self.areas[spec.id] = window.incidentAreaLayer(map, spec));
    layer.setValues(spec);
  });
  for (var id in self.areas) { if (!wanted[id]) { self.areas[id].setValues(null); } }
  if (data.heat) {
    if (!self.heat) { self.heat = L.heatLayer(data.heat, {radius: 18, blur: 14, minOpacity: 0.3}); }
    else { self.heat.setLatLngs(data.heat); }
    if (!map.hasLayer(self.heat)) { self.heat.addTo(map); }
  } else if (self.heat && map.hasLayer(self.heat)) {
    map.removeLayer(self.heat);
  }
  self.time.setRows(data.points, data.points);
  return self;
};

// Fit the map to [[south, west], [north, east]] with room for its controls. When the map already
// shows that view (a filter that keeps the same extent) nothing moves: Leaflet's fitBounds would
// still fire 'moveend', and every basemap canvas and the place names would redraw for nothing.
window.incidentFit = function (map, bounds) {
  var options = {paddingTopLeft: [60, 40], paddingBottomRight: [60, 70], maxZoom: 9, animate: false};
  if (typeof map._getBoundsCenterZoom !== 'function') { map.fitBounds(bounds, options); return; }
  var target = map._getBoundsCenterZoom(L.latLngBounds(bounds), options);
  if (!isFinite(target.zoom)) { map.fitBounds(bounds, options); return; }
  var zoom = map.getZoom();
  var offset = zoom === target.zoom ? map.project(target.center, zoom).distanceTo(map.project(map.getCenter(), zoom)) : 1;
  if (offset >= 1) { map.setView(target.center, target.zoom, {animate: false}); }
};

// Areas drawn at their real extent, coloured by count: admin units from a cached static file
// (spec.url, joined on spec.key) or inline polygons (spec.data). spec.values = {code: [label,
// tag, days, counts]}: the count shown is the sum over the days in the time bar's window, so the
// areas follow scrubbing and playback like the points do; an area with none in the window is hidden.
// On new values (a filter change) the polygons of units still shown are kept, only their counts
// change: units that leave are removed and units that come are made from the file.
window.incidentAreaLayer = function (map, spec) {
  var group = L.featureGroup(), values = null, current = null, geojson = null, drawnFrom = null;
  var drawn = {};  // code -> [{layer, value, n}], one per polygon feature of that code
  var cache = window.__areaGeoJson = window.__areaGeoJson || {};
  var has = function (o, k) { return Object.prototype.hasOwnProperty.call(o, k); };
  function count(v, lo, hi, all) {
    var days = v[2], counts = v[3], n = 0;
    for (var i = 0; i < days.length; i++) {
      if (all || (days[i] >= lo && days[i] <= hi)) { n += counts[i]; }
    }
    return n;
  }
  function colorFor(n) {
    var c = current.palette[0];
    for (var i = 0; i < current.breaks.length; i++) { if (n >= current.breaks[i]) { c = current.palette[i]; } }
    return c;
  }
  // the file's features by their code, indexed once per file and key
  function featuresByCode(gj, key) {
    var byKey = gj.__byKey || (gj.__byKey = {});
    if (!byKey[key]) {
      var index = byKey[key] = {};
      gj.features.forEach(function (f) {
        var code = f.properties[key];
        (index[code] || (index[code] = [])).push(f);
      });
    }
    return byKey[key];
  }
  function clear() { group.clearLayers(); drawn = {}; }
  function build() {
    if (!values || !geojson) { clear(); return; }
    if (drawnFrom !== geojson) { clear(); drawnFrom = geojson; }  // other polygons (inline regions)
    var index = featuresByCode(geojson, current.key), code;
    for (code in drawn) {
      if (!has(values, code)) {
        drawn[code].forEach(function (p) { group.removeLayer(p.layer); });
        delete drawn[code];
      }
    }
    for (code in values) {
      if (!has(values, code)) { continue; }
      if (!drawn[code]) {
        drawn[code] = (index[code] || []).map(function (f) {
          var layer = L.GeoJSON.geometryToLayer(f, {});
          layer.feature = f;
          layer.setStyle(Object.assign({}, current.style));
          layer.bindTooltip('', {sticky: true});
          group.addLayer(layer);
          return {layer: layer, value: null, n: -1};
        });
      }
      for (var i = 0; i < drawn[code].length; i++) { drawn[code][i].value = values[code]; drawn[code][i].n = -1; }
    }
    var t = window.incidentTime ? window.incidentTime.state : {lo: 0, hi: 0, all: true};
    follow(t.lo, t.hi, t.all);
  }
  // an area with nothing in the window is hidden, not removed: adding a polygon back would
  // re-project every vertex, and a scrub step touches many areas
  function show(p, visible) {
    var path = p.layer._path;
    if (path) { path.style.display = visible ? '' : 'none'; }
    if (!visible && p.layer.isTooltipOpen()) { p.layer.closeTooltip(); }
  }
  function follow(lo, hi, all) {
    for (var code in drawn) {
      var parts = drawn[code];
      for (var i = 0; i < parts.length; i++) {
        var p = parts[i], n = count(p.value, lo, hi, all);
        if (n === p.n) { continue; }  // only areas whose count changed are touched
        if (n === 0) { show(p, false); }
        else {
          if (p.n <= 0) { show(p, true); }
          p.layer.setStyle({fillColor: colorFor(n)});
          p.layer.setTooltipContent(p.value[0] + ' — ' + n.toLocaleString('en') + ' ' + current.noun +
            (n === 1 ? '' : 's') + ' ' + p.value[1]);
        }
        p.n = n;
      }
    }
  }
  var api = {
    group: group,
    follow: function (lo, hi, all) { if (values) { follow(lo, hi, all); } },
    setValues: function (next) {
      values = next ? next.values : null;
      current = next;
      if (!next) { clear(); if (map.hasLayer(group)) { map.removeLayer(group); } return; }
      if (!map.hasLayer(group)) { group.addTo(map); }
      if (next.data) { geojson = next.data; build(); return; }
      cache[next.url] = cache[next.url] || fetch(next.url).then(function (r) {
        if (!r.ok) { throw new Error('HTTP ' + r.status); }
        return r.json();
      });
      cache[next.url].then(function (gj) { if (current === next) { geojson = gj; build(); } })
        .catch(function (e) { console.warn('boundaries not loaded', e); });
    }
  };
  return api;
};
