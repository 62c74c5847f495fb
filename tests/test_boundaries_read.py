"""Boundary layers read with sqlite3 + shapely: the same frames GDAL reads, without GDAL in the
process that joins mentions (a Dask worker's memory)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest

from geo import paths
from geo.boundaries import LEVELS, load_boundaries
from geo.gazetteer import GazetteerMissingError


@pytest.mark.parametrize("simplified", [False, True])
def test_layers_equal_what_gdal_reads(real_gazetteer_dir: Path, simplified: bool) -> None:
    path = paths.simplified_boundaries_path() if simplified else paths.boundaries_path()
    for level in LEVELS:
        ours = load_boundaries(level, simplified=simplified)
        gdal = gpd.read_file(path, layer=level, engine="pyogrio")
        assert len(ours) > 200, level
        assert list(ours.columns) == list(gdal.columns), level
        assert ours.dtypes.to_dict() == gdal.dtypes.to_dict(), level
        assert ours.drop(columns="geometry").equals(gdal.drop(columns="geometry")), level
        assert ours.geometry.geom_equals_exact(gdal.geometry, 0).all(), level
        assert ours.crs == gdal.crs and ours.crs.to_epsg() == 4326


def test_the_join_loads_no_gdal(real_gazetteer_dir: Path) -> None:
    code = ("import sys; from geo.join import load_admin_boundaries, join_mentions; "
            "b = load_admin_boundaries(); b.adm0; "
            "print(sorted(m for m in ('pyogrio', 'fiona', 'osgeo') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=paths.ROOT).stdout
    assert out.strip() == "[]"


def test_a_damaged_boundaries_file_is_a_clear_error(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "boundaries.gpkg"
    broken.write_bytes(b"not a geopackage at all" * 100)
    monkeypatch.setattr(paths, "boundaries_path", lambda: broken)
    with pytest.raises(GazetteerMissingError, match="unreadable"):
        load_boundaries("adm1")
