"""The map's URL state (view, layers, base map, selection) and the view the mounted map opens at."""

from __future__ import annotations

from geo.view.mappanel import mount_view
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


def test_the_mounted_map_keeps_its_opening_view_until_the_base_map_changes():
    url_view = MapView(10.0, 20.0, 6)
    first = mount_view(None, "outlines", url_view)
    assert first == {"basemap": "outlines", "view": url_view}  # a shared link opens on its view
    assert mount_view(None, "outlines", None)["view"] is None  # no view: the data fits it
    # later runs (the analyst panned, so the URL's view moved): the same page, not remounted
    assert mount_view(first, "outlines", MapView(0, 0, 3)) is first
    # another base map is another page: it opens where the analyst is looking now
    assert mount_view(first, "osm", MapView(0, 0, 3)) == {"basemap": "osm", "view": MapView(0, 0, 3)}
