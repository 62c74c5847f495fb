// Incidents on the map with time scrubbing and playback done in the browser (no app rerun).
// The layer and its time bar are made once per mounted map; setRows() swaps the data in place
// when the filters change, so a filter change never reloads the map's frame.
// rows: [lat, lon, n, colorIndex, radius, day, popupHtml]; day is days after day0 (-1: undated);
// n counts opt.unit ([singular, plural]: incidents, or the articles reporting them).
// Only the markers entering or leaving the window are added to or removed from the cluster,
// so one step costs little however many incidents the map holds. Every step fires the map event
// 'incidenttime' ({lo, hi, all}) so area layers can follow the same window.
window.incidentTimeLayer = function (map, opts) {
  var cluster = L.markerClusterGroup({
    chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 45,
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
  cluster.on('click', function (e) {
    var i = e.layer && e.layer.options.row;
    if (i === undefined || !rows[i]) { return; }
    if (!e.layer.getPopup()) { e.layer.bindPopup(rows[i][6], {maxWidth: 320}); }
    e.layer.openPopup();
  });
  var unit = ['incident', 'incidents'];
  var rows = [], colors = [], markers = [], shown = new Uint8Array(0), DAY = 86400000, day0 = null;
  var state = {mode: 'all', day: 0, lo: 0, hi: 0, all: true, count: 0, playing: null};
  var api = {cluster: cluster, state: state, lastDay: 0, total: 0, step: 1};

  function iso(d) { return new Date(day0 + d * DAY).toISOString().slice(0, 10); }

  // show rows whose day is in [lo, hi]; undated rows only when every date is shown
  function apply(lo, hi, all) {
    var add = [], remove = [], count = 0;
    for (var i = 0; i < rows.length; i++) {
      var d = rows[i][5], want = all || (d >= lo && d <= hi) ? 1 : 0;
      if (want) { count += rows[i][2]; }
      if (want !== shown[i]) { (want ? add : remove).push(markers[i]); shown[i] = want; }
    }
    if (remove.length) { cluster.removeLayers(remove); }
    if (add.length) { cluster.addLayers(add); }
    state.lo = lo; state.hi = hi; state.all = all; state.count = count;
    map.fire('incidenttime', {lo: lo, hi: hi, all: all});
    return count;
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

  // new data (a filter change): rebuild the markers, keep the chosen window mode, end of period
  api.setRows = function (newRows, newColors, opt) {
    stop();
    // off the map, the cluster takes a whole batch at once (no chunks, no redraw per chunk)
    if (map.hasLayer(cluster)) { map.removeLayer(cluster); }
    if (markers.length) { cluster.clearLayers(); }
    rows = newRows; colors = newColors; unit = opt.unit || unit;
    day0 = opt.day0 ? Date.parse(opt.day0 + 'T00:00:00Z') : null;
    api.step = opt.step || 1;
    api.lastDay = opt.lastDay || 0;
    markers = new Array(rows.length); shown = new Uint8Array(rows.length);
    var total = 0;
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      markers[i] = L.circleMarker([r[0], r[1]], {radius: r[4], color: '#ffffff', weight: 1.5,
        fillColor: colors[r[3]], fillOpacity: 0.9, incidents: r[2], row: i});
      shown[i] = 1;
      total += r[2];
    }
    api.total = total;
    cluster.addLayers(markers);
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
