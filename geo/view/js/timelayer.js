// Incidents on the map with time scrubbing and playback done in the browser (no app rerun).
// The layer and its time bar are made once per mounted map; setRows() swaps the data in place
// when the filters change, so a filter change never reloads the map's frame.
// points: one array per field (lat, lon, n, incidents, color, radius, day, name, title, date)
// and the tables colors, names, dates that color, name and date index; day is days after day0
// (-1: undated); n counts opt.unit ([singular, plural]: incidents, or the articles reporting them).
// Popups are made on click from these fields, as text (article text is untrusted: never HTML).
// Only the markers entering or leaving the window are added to or removed from the cluster,
// so one step costs little however many incidents the map holds. Every step fires the map event
// 'incidenttime' ({lo, hi, all}) so area layers can follow the same window.
// Clusters are computed from the map's least zoom to CLUSTER_MAX_ZOOM only (the map goes to 18):
// each level costs every marker a grid lookup, and past it little but incidents at the same spot
// would still merge. A bubble of incidents at one spot opens (spiderfies) when clicked; zoomed in
// further, they are drawn on top of each other (a click lists them all in the evidence).
window.incidentTimeLayer = function (map, opts) {
  var CLUSTER_MAX_ZOOM = 13;
  function makeCluster() {
    var group = L.markerClusterGroup({
      chunkedLoading: false, showCoverageOnHover: false, maxClusterRadius: 45,
      disableClusteringAtZoom: CLUSTER_MAX_ZOOM + 1,
      iconCreateFunction: function (c) {
        var n = 0, kids = c.getAllChildMarkers();
        for (var i = 0; i < kids.length; i++) { n += kids[i].options.incidents || 1; }
        var size = n < 10 ? 'small' : (n < 100 ? 'medium' : 'large');
        var tip = n + ' ' + unit[n === 1 ? 0 : 1] + ' here: click to zoom in';
        return L.divIcon({html: '<div title="' + tip + '"><span>' + n + '</span></div>',
          className: 'marker-cluster marker-cluster-' + size, iconSize: L.point(40, 40)});
      }
    });
    // popups are made on demand: building 10,000 of them up front costs more than drawing
    group.on('click', function (e) {
      var i = e.layer && e.layer.options.row;
      if (i === undefined || i >= count()) { return; }
      if (!e.layer.getPopup()) { e.layer.bindPopup(popupContent(i), {maxWidth: 320}); }
      e.layer.openPopup();
    });
    return group;
  }
  var cluster = null;
  var unit = ['incident', 'incidents'];
  var pts = null, markers = [], shown = new Uint8Array(0), DAY = 86400000, day0 = null;
  var state = {mode: 'all', day: 0, lo: 0, hi: 0, all: true, count: 0, playing: null};
  var api = {cluster: null, state: state, lastDay: 0, total: 0, step: 1};
  function count() { return pts ? pts.lat.length : 0; }

  // the popup as DOM nodes with the article's words as text: nothing in them can become markup
  function popupContent(i) {
    var box = document.createElement('div'), bold = document.createElement('b');
    bold.textContent = pts.names[pts.name[i]] || '';
    box.appendChild(bold);
    box.appendChild(document.createTextNode(' · ' + (pts.dates[pts.date[i]] || 'unknown')));
    box.appendChild(document.createElement('br'));
    box.appendChild(document.createTextNode(pts.title[i] || ''));
    if (pts.incidents[i] > 1) {
      var note = document.createElement('i');
      note.textContent = pts.incidents[i] + ' incidents here that day';
      box.appendChild(document.createElement('br'));
      box.appendChild(note);
    }
    return box;
  }

  function iso(d) { return new Date(day0 + d * DAY).toISOString().slice(0, 10); }

  // show rows whose day is in [lo, hi]; undated rows only when every date is shown
  function apply(lo, hi, all) {
    var add = [], remove = [], total = 0, days = pts ? pts.day : [], ns = pts ? pts.n : [];
    for (var i = 0; i < days.length; i++) {
      var d = days[i], want = all || (d >= lo && d <= hi) ? 1 : 0;
      if (want) { total += ns[i]; }
      if (want !== shown[i]) { (want ? add : remove).push(marker(i)); shown[i] = want; }
    }
    // a hidden layer is not filled (showing it sends new data, which makes a new cluster)
    var live = cluster && cluster._map;
    if (live && remove.length) { cluster.removeLayers(remove); }
    if (live && add.length) { cluster.addLayers(add, true); }
    state.lo = lo; state.hi = hi; state.all = all; state.count = total;
    map.fire('incidenttime', {lo: lo, hi: hi, all: all});
    return total;
  }

  var bar = null, slider, label, modeBox, playButton;
  function windowFor(day) {
    var mode = state.mode;
    if (mode === 'all' || day0 === null) { return [0, api.lastDay, true]; }
    if (mode === 'upto') { return [0, day, false]; }
    var width = parseInt(mode, 10);
    return [Math.max(0, day - width + 1), day, false];
  }
  function render() {
    var w = windowFor(state.day);
    var count = apply(w[0], w[1], w[2]);
    if (!bar) { return; }
    bar.style.display = day0 !== null && api.lastDay > 0 ? '' : 'none';
    slider.max = api.lastDay;
    slider.value = state.day;
    var span = day0 === null ? 'no dates' : (w[2] ? iso(0) + ' – ' + iso(api.lastDay) + ' (all dates)'
      : (w[0] === w[1] ? iso(w[1]) : iso(w[0]) + ' – ' + iso(w[1])));
    label.innerHTML = '<b class="time-date">' + span + '</b> · <span class="time-count">' +
      count.toLocaleString('en') + '</span> of ' + api.total.toLocaleString('en') + ' point ' + unit[1];
  }
  function setDay(day) {
    if (state.mode === 'all') { state.mode = 'upto'; if (modeBox) { modeBox.value = 'upto'; } }
    state.day = Math.max(0, Math.min(api.lastDay, day));
    render();
  }
  function stop() {
    if (state.playing) { clearInterval(state.playing); state.playing = null; }
    if (playButton) { playButton.textContent = '▶'; playButton.title = 'Play'; }
  }
  function play() {
    if (state.playing) { stop(); return; }
    var step = state.mode === 'all' || state.mode === 'upto' ? api.step : parseInt(state.mode, 10);
    if (state.mode === 'all' || state.day >= api.lastDay) {
      setDay(state.mode === 'all' || state.mode === 'upto' ? 0 : step - 1);
    }
    playButton.textContent = '⏸'; playButton.title = 'Pause';
    state.playing = setInterval(function () {
      if (state.day >= api.lastDay) { stop(); return; }
      setDay(state.day + step);
    }, opts.interval);
  }

  var Bar = L.Control.extend({
    options: {position: 'bottomleft'},
    onAdd: function () {
      bar = L.DomUtil.create('div', 'time-bar');
      playButton = L.DomUtil.create('button', 'time-play', bar);
      playButton.type = 'button'; playButton.textContent = '▶'; playButton.title = 'Play';
      modeBox = L.DomUtil.create('select', 'time-mode', bar);
      modeBox.title = 'Which dates the map shows';
      [['all', 'All dates'], ['upto', 'Up to the date'], ['1', '1-day window'], ['7', '7-day window'],
       ['30', '30-day window']].forEach(function (o) {
        var opt = L.DomUtil.create('option', '', modeBox); opt.value = o[0]; opt.textContent = o[1];
      });
      slider = L.DomUtil.create('input', 'time-slider', bar);
      slider.type = 'range'; slider.min = 0; slider.max = 0; slider.step = 1; slider.value = 0;
      slider.title = 'Drag to scrub through time';
      label = L.DomUtil.create('span', 'time-label', bar);
      L.DomEvent.disableClickPropagation(bar);
      L.DomEvent.disableScrollPropagation(bar);
      L.DomEvent.on(slider, 'input', function () { stop(); setDay(parseInt(slider.value, 10)); });
      L.DomEvent.on(modeBox, 'change', function () { state.mode = modeBox.value; render(); });
      L.DomEvent.on(playButton, 'click', play);
      return bar;
    }
  });
  new Bar().addTo(map);

  // a row's marker, made the first time it is shown (a 7-day window needs few of them)
  function marker(i) {
    return markers[i] || (markers[i] = L.circleMarker([pts.lat[i], pts.lon[i]], {
      radius: pts.radius[i], color: '#ffffff', weight: 1.5, fillColor: pts.colors[pts.color[i]],
      fillOpacity: 0.9, incidents: pts.n[i], row: i}));
  }

  // new data (a filter change): a new cluster with the rows in the chosen window (the old one is
  // dropped whole: emptying it marker by marker costs more), end of period
  api.setRows = function (points, opt) {
    stop();
    if (cluster && map.hasLayer(cluster)) { map.removeLayer(cluster); }
    pts = points; unit = opt.unit || unit;
    day0 = opt.day0 ? Date.parse(opt.day0 + 'T00:00:00Z') : null;
    api.step = opt.step || 1;
    api.lastDay = opt.lastDay || 0;
    var n = count(), total = 0;
    markers = new Array(n); shown = new Uint8Array(n);
    for (var i = 0; i < n; i++) { total += pts.n[i]; }
    api.total = total;
    cluster = api.cluster = makeCluster();
    // on the map before the markers go in: the cluster then takes them in one pass (off the map
    // it checks each new marker against every one queued before it)
    if (opt.show) { cluster.addTo(map); }
    state.day = api.lastDay;
    render();
    map.fire('incidentsdrawn');
  };
  api.setDay = setDay;
  api.play = play;
  api.stop = stop;
  api.setMode = function (mode) { state.mode = mode; if (modeBox) { modeBox.value = mode; } render(); };
  window.incidentTime = api;
  return api;
};

// Keep the map's centre and zoom in the page's URL (?view=lat,lon,zoom) without rerunning the app,
// so a copied link reopens the same view. The map lives in a same-origin component frame.
window.incidentViewSync = function (map) {
  function write() {
    try {
      var c = map.getCenter(), z = map.getZoom();
      var lon = ((c.lng + 180) % 360 + 360) % 360 - 180;
      var target = window.parent && window.parent !== window ? window.parent : window;
      var url = new URL(target.location.href);
      url.searchParams.set('view', c.lat.toFixed(4) + ',' + lon.toFixed(4) + ',' + z);
      target.history.replaceState(target.history.state, '', url.toString());
    } catch (e) { /* a cross-origin host page: the view just is not shared */ }
  }
  map.on('moveend', write);
  map.whenReady(function () { setTimeout(write, 0); });
};
