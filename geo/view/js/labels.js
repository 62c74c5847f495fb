// Place names on the offline basemap, from our gazetteer, by zoom level.
// tiers: [{zoom, url}]: a tier's file ([name, lat, lon, rank] rows, rank 0 = capital) is
// fetched once the map is zoomed in that far. Labels are placed greedily by priority (lower
// tier, then population order) and skipped where they would overlap one already placed.
window.placeLabels = function (map, tiers, opts) {
  var pane = map.createPane('labels');
  pane.style.zIndex = 450;  // over areas and markers' shadows, under popups
  pane.style.pointerEvents = 'none';
  var loaded = {}, places = [], layer = L.DomUtil.create('div', 'place-labels', pane);
  function load(tier) {
    if (loaded[tier.zoom]) { return; }
    loaded[tier.zoom] = fetch(tier.url).then(function (r) {
      if (!r.ok) { throw new Error('HTTP ' + r.status); }
      return r.json();
    }).then(function (rows) {
      for (var i = 0; i < rows.length; i++) {
        places.push({name: rows[i][0], lat: rows[i][1], lon: rows[i][2], rank: rows[i][3], tier: tier.zoom, order: places.length});
      }
      places.sort(function (a, b) { return a.tier - b.tier || a.order - b.order; });
      draw();
    }).catch(function (e) { console.warn('place labels not loaded', e); });
  }
  function draw() {
    var zoom = map.getZoom(), bounds = map.getBounds().pad(0.05), size = map.getSize();
    layer.innerHTML = '';
    if (!map.hasLayer(guard)) { return; }
    var boxes = [], count = 0;
    for (var i = 0; i < places.length && count < opts.maxLabels; i++) {
      var p = places[i];
      if (p.tier > zoom || !bounds.contains([p.lat, p.lon])) { continue; }
      var pt = map.latLngToLayerPoint([p.lat, p.lon]);
      var cls = p.rank === 0 ? 'capital' : (p.tier <= zoom - 2 ? 'major' : 'minor');
      var w = p.name.length * (cls === 'minor' ? 6 : 7) + 10, h = cls === 'minor' ? 13 : 15;
      var box = [pt.x - w / 2, pt.y - h - 3, pt.x + w / 2, pt.y + 3];
      var clash = false;
      for (var j = 0; j < boxes.length; j++) {
        var b = boxes[j];
        if (box[0] < b[2] && box[2] > b[0] && box[1] < b[3] && box[3] > b[1]) { clash = true; break; }
      }
      if (clash) { continue; }
      boxes.push(box);
      var el = L.DomUtil.create('div', 'place-label place-label-' + cls, layer);
      el.textContent = p.name;  // text, never HTML
      L.DomUtil.setPosition(el, pt);
      count++;
    }
  }
  // an invisible layer whose presence in the map says "labels on" (follows the base map choice)
  var guard = L.layerGroup();
  guard.on('add', function () { sync(); });
  guard.on('remove', function () { layer.innerHTML = ''; });
  // the tiers are fetched once the incidents are drawn (window.afterIncidentsDrawn), not ahead of them
  var ready = false;
  function sync() {
    var zoom = map.getZoom();
    if (ready) { tiers.forEach(function (t) { if (t.zoom <= zoom) { load(t); } }); }
    draw();
  }
  map.on('zoomend moveend', sync);
  (window.afterIncidentsDrawn || function (m, fn) { fn(); })(map, function () { ready = true; map.whenReady(sync); });
  return guard;
};
