"""Files the map's first paint waits for, fetched by the page as soon as its first element runs.

Without this the browser discovers them one after another: Streamlit's component chunk once the
map's element arrives, Leaflet once the map's frame has loaded and run its own script. The page asks for them at once, early, so each step finds its file in the
browser's cache: Streamlit's chunk (and its imports) as module preloads, the map's Leaflet bundle
as prefetches (the HTTP cache is shared with the same-origin map frame).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

# a chunk's static imports, as Vite writes them: from"./name.hash.js"
_CHUNK_IMPORT = re.compile(r'from"\./([\w.\-]+\.js)"')


def streamlit_chunks(js_dir: Path, prefix: str) -> list[str]:
    """The Streamlit chunk named `prefix` and the chunks it imports (file names; none if absent)."""
    found = sorted(js_dir.glob(f"{prefix}.*.js"))
    if len(found) != 1:  # not this Streamlit build's layout: preload nothing rather than a guess
        return []
    chunk = found[0]
    return [chunk.name, *dict.fromkeys(_CHUNK_IMPORT.findall(chunk.read_text(encoding="utf-8")))]


@lru_cache(maxsize=1)
def first_paint_links(bundles: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(rel, absolute path) of what the map's first paint loads after the page's own bundle:
    Streamlit's component chunk and `bundles` (the map's scripts and styles,
    geo.view.assets.ensure_bundles).

    Not the st_folium frame's own script: Streamlit serves component files with no validator or
    lifetime, so the frame fetches it again whatever the page fetched before (measured: a second
    full download), and a prefetch would only add to the load."""
    import streamlit

    links: list[tuple[str, str]] = []
    js_dir = Path(streamlit.__file__).parent / "static" / "static" / "js"
    links += [("modulepreload", f"/static/js/{name}") for name in streamlit_chunks(js_dir, "ComponentInstance")]
    links += [("prefetch", url) for url in bundles if url]
    return tuple(links)


def preload_html(links: tuple[tuple[str, str], ...]) -> str:
    """A script adding the links to the page's head, once per page (every rerun sends it again)."""
    return f"""<script>
(function () {{
  var w = window;
  if (w.__mapFilesPreloaded) {{ return; }}
  w.__mapFilesPreloaded = true;
  {json.dumps([list(link) for link in links])}.forEach(function (link) {{
    var tag = w.document.createElement('link');
    tag.rel = link[0];
    tag.href = link[1];
    w.document.head.appendChild(tag);
  }});
}})();
</script>"""
