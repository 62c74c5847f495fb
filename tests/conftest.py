"""Shared fixtures. Tests on the real gazetteer need `geo gazetteer build` (make test runs it)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo import paths

pytest_plugins = ["pg_fixtures"]  # a throwaway PostGIS cluster for the session


@pytest.fixture(autouse=True)
def keep_main_module() -> Iterator[None]:
    """Streamlit's AppTest runs app.py as sys.modules["__main__"] and leaves it there. A process
    started later by "spawn" (the Dask workers of the scale-out tests) runs the parent's main
    module first, so every worker would run the app in bare mode (and import pandas and
    pyarrow before the worker plugin could keep pyarrow out)."""
    main = sys.modules.get("__main__")
    yield
    if main is not None and sys.modules.get("__main__") is not main:
        sys.modules["__main__"] = main


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    d = paths.shared_dir()
    if not d.is_dir():
        pytest.skip(f"../shared is absent ({d}): this test needs the shared seed/eval data")
    return d


@pytest.fixture(scope="session")
def seed_article(shared_dir: Path) -> tuple[str, dict]:
    """(raw file text, expected json) for the seed article."""
    seeds = shared_dir / "seeds"
    expected = json.loads((seeds / "seed_expected.json").read_text(encoding="utf-8"))
    raw = (seeds / expected["file"]).read_text(encoding="utf-8")
    return raw, expected


@pytest.fixture(scope="session")
def real_gazetteer_dir() -> Path:
    """The real built gazetteer; fails loudly (not skips) when missing: make test builds it."""
    db = paths.gazetteer_db()
    assert db.exists(), f"gazetteer not built at {db}: run `geo gazetteer build` (make test does)"
    return paths.gazetteer_dir()
