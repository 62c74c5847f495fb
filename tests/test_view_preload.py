"""The files the map's first paint waits for, asked for early by the page (geo/view/preload.py)."""

from __future__ import annotations

from pathlib import Path

import streamlit

from geo.view.preload import first_paint_links, preload_html, streamlit_chunks

STREAMLIT_JS = Path(streamlit.__file__).parent / "static" / "static" / "js"


def test_a_chunk_and_its_imports(tmp_path):
    (tmp_path / "Widget.abc123.js").write_text('import{a as b}from"./dep.x1.js";import{c}from"./dep.x1.js";'
                                              'import"./other-dep.y2.js";export{b};import{d}from"./last.z3.js"')
    assert streamlit_chunks(tmp_path, "Widget") == ["Widget.abc123.js", "dep.x1.js", "last.z3.js"]
    assert streamlit_chunks(tmp_path, "Missing") == []
    (tmp_path / "Widget.def456.js").write_text("")
    assert streamlit_chunks(tmp_path, "Widget") == []  # two builds' chunks: guess nothing


def test_the_installed_chunks_exist():
    """Against the installed Streamlit: every preloaded chunk is a file it serves."""
    chunks = streamlit_chunks(STREAMLIT_JS, "ComponentInstance")
    assert chunks and chunks[0].startswith("ComponentInstance.")
    assert all((STREAMLIT_JS / name).is_file() for name in chunks)


def test_links_and_the_script_that_adds_them():
    links = first_paint_links(("/app/static/vendor/x.js?v=1", "", "/app/static/vendor/x.css?v=2"))
    hrefs = [href for _, href in links]
    assert {href for rel, href in links if rel == "prefetch"} >= {"/app/static/vendor/x.js?v=1",
                                                                  "/app/static/vendor/x.css?v=2"}
    assert any(href.startswith("/static/js/ComponentInstance.") for href in hrefs)
    assert not any(href.startswith("/component/") for href in hrefs)  # refetched by the frame whatever we do
    assert all(href.startswith("/") for _, href in links)  # the app's own files, nothing remote
    page = preload_html(links)
    assert page.startswith("<script>") and page.count("<script") == 1 and "__mapFilesPreloaded" in page
    assert "/app/static/vendor/x.js?v=1" in page
