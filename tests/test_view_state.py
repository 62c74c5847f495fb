"""The map's URL state (view, layers, base map, selection) and when the map refits."""

from __future__ import annotations

from geo.view.mappanel import plan_view
from geo.view.viewstate import MapView, ViewState, from_query_params, parse_view, to_query_params


def test_defaults_write_nothing_and_everything_round_trips():
    assert to_query_params(ViewState()) == {}
    state = ViewState(view=MapView(24.8, -107.39, 8), layers=("points", "heat"), basemap="osm", selected="abc-1")
    params = to_query_params(state)
    assert params == {"view": "24.8000,-107.3900,8", "layers": "points,heat", "base": "osm", "sel": "abc-1"}
    again, problems = from_query_params(params)
    assert again == state and problems == []
    assert from_query_params({"layers": "-"})[0].layers == ()


def test_bad_values_are_reported_and_ignored():
    state, problems = from_query_params({"view": "1,2", "layers": "points,bogus", "base": "x", "sel": "<script>",
                                         "country": "MEX"})
    assert state == ViewState() and len(problems) == 4
    assert parse_view("10,370,3").lon == 10.0  # a world-copy longitude is wrapped
    for bad in ("91,0,3", "0,0,40", "a,b,c"):
        assert from_query_params({"view": bad})[1]


def test_the_map_fits_only_when_the_filters_change():
    url_view = MapView(10.0, 20.0, 6)
    first = plan_view(None, ("f1",), ("L",), 1, url_view)
    assert first.view == url_view  # a shared link opens on its view
    fresh = plan_view(None, ("f1",), ("L",), 1, None)
    assert fresh.view is None  # no view: fit to the data
    previous = {"key": first.key, "view": first.view}
    # a click or a selection: the same page (the browser keeps the analyst's pan and zoom)
    assert plan_view(previous, ("f1",), ("L",), 1, MapView(0, 0, 3)) == first
    # the filters changed: fit to the new incidents
    assert plan_view(previous, ("f2",), ("L",), 1, MapView(0, 0, 3)).view is None
    # a layer or the data changed: redraw where the analyst is looking now
    assert plan_view(previous, ("f1",), ("M",), 1, MapView(0, 0, 3)).view == MapView(0, 0, 3)
    assert plan_view(previous, ("f1",), ("L",), 2, MapView(1, 1, 4)).view == MapView(1, 1, 4)
