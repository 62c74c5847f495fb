"""The app's main-area sections (Streamlit UI). Logic lives in the pure modules they call."""

from __future__ import annotations

import re
from datetime import date

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.store.overview import Headline
from geo.view import sidebar
from geo.view.evidence import SOURCES_CSS, sources_html
from geo.view.exports import FORMATS, LAYERS, export_filename, layer_frame, to_bytes
from geo.view.filters import Filters
from geo.view.layers import AREA_PRECISIONS, COORD_DECIMALS, lat_lon
from geo.view.popups import EVIDENCE_CSS, evidence_html, safe_url
from geo.view.timeline import brush_dates, counts_from_daily, timeline_chart

MAX_EVIDENCE_CARDS = 12
# the tabs under the map (the first opens by default); session-state key of the open one
TABS = ("Evidence", "Incidents", "Correct", "Add articles", "Download")
TAB_KEY = "tab"
UPLOAD_TAB = "Add articles"
TABLE_COLUMNS = ["event_date", "published", "name", "adm1_name", "adm0_name", "category", "source_count",
                 "kind", "precision", "confidence", "title", "source", "source_url"]
AREA_CODE = re.compile(r"\[([^\[\]]+)\]\s*$")


def metrics_row(filtered: Headline, total: int, bounds: tuple[date, date] | None) -> None:
    """One compact row of headline numbers (over every incident passing the filters)."""
    cols = st.columns([1, 1, 1, 2], gap="small")
    cols[0].metric("Incidents", f"{filtered.incidents:,}", help=f"{total:,} in the store")
    cols[1].metric("Articles", f"{filtered.articles:,}",
                   help="Reports of these incidents: an incident that three outlets reported counts 3")
    cols[2].metric("Countries", f"{filtered.countries:,}")
    span = "—"
    if bounds:
        same_month = (bounds[0].year, bounds[0].month) == (bounds[1].year, bounds[1].month)
        same_year = bounds[0].year == bounds[1].year
        span = (f"{bounds[0]:%d %b %Y}" if bounds[0] == bounds[1]
                else f"{bounds[0]:%d}–{bounds[1]:%d %b %Y}" if same_month
                else f"{bounds[0]:%d %b}–{bounds[1]:%d %b %Y}" if same_year
                else f"{bounds[0]:%b %Y}–{bounds[1]:%b %Y}")
    cols[3].metric("Date span", span)


def _on_brush() -> None:
    # runs before the rerun: move the date slider to the brushed range
    state = st.session_state.get("timeline")
    dates = brush_dates(getattr(state, "selection", None) or (state or {}).get("selection"))
    if dates:
        sidebar.set_date_range(*dates)


# set by a session's first run: the timeline and the sidebar's widgets come from the second on
PAGE_COMPLETE = "_page_complete"
TIMELINE_HEIGHT = 150  # px: the chart with its axis, so the page does not jump when it comes


def timeline_placeholder() -> None:
    """The timeline's place on the session's first run, the chart's height (see app.py)."""
    st.container(height=TIMELINE_HEIGHT, border=False).caption("Drawing the timeline once the map is up…")


def timeline_section(daily: pd.DataFrame, filters: Filters, unit: str = "incidents") -> None:
    """The timeline of the filtered incidents without their dates (`daily`: geo.view.timeline.daily_counts)."""
    counts = counts_from_daily(daily, filters.bin, unit)
    if counts.empty:
        st.info("No dated incidents match the filters.")
        return
    st.altair_chart(timeline_chart(counts, filters.bin), width="stretch",
                    on_select=_on_brush, selection_mode="brush", key="timeline")
    st.caption("Drag across the timeline to set the date range (the map fits the result). "
               "The time bar on the map scrubs and plays through it without reloading.")


def evidence_for_click(filtered: gpd.GeoDataFrame, clicked: dict | None) -> pd.DataFrame:
    """Incidents at the clicked marker (same rounded location) or inside the clicked area."""
    if not clicked or filtered.empty:
        return filtered.iloc[0:0]
    tooltip = clicked.get("last_object_clicked_tooltip")
    if isinstance(tooltip, str) and (match := AREA_CODE.search(tooltip)):
        tag, _, code = match.group(1).partition(":")
        in_unit = (filtered["adm1_iso"] == code) | (filtered["adm0_iso3"] == code)
        if tag == "region":  # a derived region, named by its gazetteer place
            place_id = float(code.split(":")[0])
            hit = (filtered["precision"] == "subregion") & (filtered["gazetteer_id"] == place_id)
        elif tag == "area":  # the area mentioned itself, not the places inside it
            hit = filtered["precision"].isin(AREA_PRECISIONS) & in_unit
        else:  # a choropleth unit: every incident in it
            hit = in_unit
        if hit.any():
            return filtered[hit]
    point = clicked.get("last_object_clicked")
    if not isinstance(point, dict) or "lat" not in point:
        return filtered.iloc[0:0]
    coords = lat_lon(filtered).round(COORD_DECIMALS)
    hit = (coords["lat"] - round(float(point["lat"]), COORD_DECIMALS)).abs().lt(1e-6) & \
        (coords["lon"] - round(float(point["lng"]), COORD_DECIMALS)).abs().lt(1e-6)
    return filtered[hit]


def evidence_cards(selected: pd.DataFrame, mentions: gpd.GeoDataFrame,
                   sources: pd.DataFrame | None = None) -> None:
    """A card per selected incident (its main report, the place marked), followed by every
    source that reports it with why it joined (`sources`: rows of data.incident_sources)."""
    if selected.empty:
        st.caption("Click an incident on the map or a row in the table to see its evidence.")
        return
    cards = []
    for row in selected.head(MAX_EVIDENCE_CARDS).to_dict("records"):
        in_article = mentions[mentions["article_id"] == row["article_id"]] if not mentions.empty else mentions
        same = in_article[in_article["place_id"] == row.get("gazetteer_id")] if len(in_article) else in_article
        surfaces = same["surface"].dropna().astype(str).tolist() if len(same) else []
        others = in_article["name"].dropna().astype(str).tolist() if len(in_article) else []
        cards.append(evidence_html(row, surfaces, others))
        if sources is not None:
            cards.append(sources_html(row, sources))
    more = len(selected) - MAX_EVIDENCE_CARDS
    tail = f"<p><i>and {more} more incidents here: narrow the filters to see them.</i></p>" if more > 0 else ""
    st.html(EVIDENCE_CSS + SOURCES_CSS + "".join(cards) + tail)


TABLE_IDS = "_incident_table_ids"


def incident_table(filtered: pd.DataFrame, selected: str | None, on_pick) -> None:
    """Sortable table of the filtered incidents, the selected one first and marked.

    Choosing a row calls `on_pick(incident_id)` before the rerun (so the map can pan to it).
    """
    if filtered.empty:
        st.info("No incidents match the filters.")
        return
    table = pd.DataFrame(filtered[[c for c in ["incident_id", *TABLE_COLUMNS] if c in filtered]]).copy()
    is_selected = table["incident_id"].astype(str) == (selected or "")
    table = pd.concat([table[is_selected], table[~is_selected]])
    table.insert(0, "sel", ["●" if s else "" for s in is_selected.sort_values(ascending=False)])
    table["source_url"] = table["source_url"].map(lambda u: safe_url(u))
    st.session_state[TABLE_IDS] = table["incident_id"].astype(str).tolist()

    def picked() -> None:
        state = st.session_state.get("incident_table")
        rows = state.selection.rows if state is not None else []
        ids = st.session_state.get(TABLE_IDS, [])
        if rows and rows[0] < len(ids):
            on_pick(ids[rows[0]])

    st.dataframe(
        table, hide_index=True, width="stretch", height=360, key="incident_table",
        on_select=picked, selection_mode="single-row",
        column_order=["sel", *[c for c in TABLE_COLUMNS if c in table]],
        column_config={
            "sel": st.column_config.TextColumn("", width=24, help="the selected incident"),
            "source_url": st.column_config.LinkColumn("Article", display_text="open ↗"),
            "confidence": st.column_config.ProgressColumn("Confidence", min_value=0.0, max_value=1.0, format="%.2f"),
            "event_date": "Event date", "published": "Published", "name": "Place",
            "adm1_name": "Admin-1", "adm0_name": "Country", "title": "Title",
            "category": "Category",
            "source_count": st.column_config.NumberColumn("Sources", help="articles reporting the incident"),
        },
    )


def downloads_section(filtered: gpd.GeoDataFrame, mentions: gpd.GeoDataFrame, filters: Filters,
                      bounds: tuple[date, date] | None, adm1: gpd.GeoDataFrame | None) -> None:
    st.caption("Exports contain exactly the incidents shown (current filters).")
    for layer, label in LAYERS.items():
        cols = st.columns(len(FORMATS) + 1)
        cols[0].markdown(f"**{label}**")
        for col, fmt in zip(cols[1:], FORMATS, strict=True):
            name = export_filename(layer, filters, fmt, bounds)

            def make(layer: str = layer, fmt: str = fmt) -> bytes:
                return to_bytes(layer_frame(layer, filtered, mentions, filters, adm1), fmt, layer, filters)

            col.download_button(fmt.upper() if fmt != "geojson" else "GeoJSON", data=make, file_name=name,
                                mime=FORMATS[fmt][1], key=f"dl_{layer}_{fmt}", on_click="ignore")


MAX_CORRECTION_CHOICES = 500
NOT_A_PLACE = -1  # the radio's key for "not a place" (gazetteer ids are positive)


def _incident_label(row: dict) -> str:
    title = str(row.get("title") or "")[:70]
    return f"{row.get('event_date') or row.get('published') or '?'} · {row.get('name') or '?'} · {title}"


def corrections_section(store_path: str, shown: pd.DataFrame, selected: pd.DataFrame,
                        mentions: gpd.GeoDataFrame, articles: pd.DataFrame) -> None:
    """Pick an incident's mention, see the gazetteer's other candidates, store the analyst's choice."""
    if msg := st.session_state.pop("corr_saved", None):
        st.success(msg)
    if shown.empty and selected.empty:
        st.caption("No incidents to correct under the current filters.")
        return
    pool = shown.head(MAX_CORRECTION_CHOICES)
    if len(selected) and selected.index[0] not in pool.index:
        pool = pd.concat([selected.head(1), pool])
    ids = pool["incident_id"].astype(str).tolist()
    labels = dict(zip(ids, (_incident_label(r) for r in pool.to_dict("records")), strict=True))
    # nothing selected: nothing chosen here either (and the geoparser is not loaded for nothing)
    default = ids.index(str(selected.iloc[0]["incident_id"])) if len(selected) else None
    chosen = ids[default] if default is not None else None
    incident_id = st.selectbox("Incident (click one on the map or in the table to jump to it)", ids,
                               index=default, format_func=labels.get, key=f"corr_incident_{chosen}",
                               placeholder="Select an incident on the map, in the table or here")
    if incident_id is None:
        return
    if incident_id != chosen:  # the analyst picked another one here: it becomes the selected one
        st.session_state[sidebar.SELECTED] = incident_id
    row = pool[pool["incident_id"].astype(str) == incident_id].iloc[0]
    article_id = str(row["article_id"])
    in_article = mentions[mentions["article_id"] == article_id].sort_values("start") if len(mentions) else mentions
    options = in_article.to_dict("records") + removed_mentions(store_path, article_id, in_article)
    if not options:
        st.caption("This article has no stored mentions.")
        return
    mention = st.selectbox(
        "Mention", options, key=f"corr_mention_{article_id}",
        format_func=lambda m: f"“{m['surface']}” ({m['start']}–{m['end']}) → "
                              f"{'not a place (your correction: pick a place to undo)' if m.get('removed') else m.get('name') or 'unresolved'}")
    context = correction_context(store_path, articles, article_id)
    try:
        from geo.parse import candidates_for

        candidates = candidates_for(str(mention["surface"]), context_text=context)
    except Exception as exc:  # the geoparser or gazetteer may be missing: say so, keep the app up
        st.warning(f"Candidates are unavailable: {exc}")
        return
    choices: dict[int, str] = {NOT_A_PLACE: "Not a place (remove this mention)"}
    for place in candidates:
        where = ", ".join(p for p in (place.admin1_iso, place.country) if p)
        choices[place.id] = f"{place.name} — {place.level}{', ' + where if where else ''} (id {place.id})"
    current = mention.get("place_id")
    current = int(current) if current is not None and not pd.isna(current) else NOT_A_PLACE
    keys = list(choices)
    pick = st.radio("Gazetteer candidates", keys, format_func=choices.get,
                    key=f"corr_pick_{article_id}_{mention['start']}",
                    index=keys.index(current) if current in keys else 0)
    note = st.text_input("Note (optional)", key=f"corr_note_{article_id}")
    if st.button("Save correction", type="primary", key="corr_save", disabled=pick == current):
        from geo.view.data import open_store

        try:
            with open_store(store_path) as store:
                store.add_correction(article_id, int(mention["start"]), int(mention["end"]),
                                     None if pick == NOT_A_PLACE else int(pick), note=note)
        except Exception as exc:
            st.error(f"Correction not saved: {exc}")
            return
        st.cache_data.clear()
        st.session_state["corr_saved"] = f"Saved: “{mention['surface']}” is now {choices[pick]}."
        st.rerun()


def correction_context(store_path: str, articles: pd.DataFrame, article_id: str) -> str | None:
    """The article's text, the context that ranks a mention's candidates: from the view's
    articles when they carry it, else from the store (a capped view reads no text)."""
    if "text" in articles.columns:
        text = articles.loc[articles["article_id"] == article_id, "text"].dropna()
        if len(text):
            return str(text.iloc[0])
    from geo.store.overview import article_text
    from geo.view.data import open_store

    try:
        with open_store(store_path) as store:
            return article_text(store.backend, article_id)
    except Exception:  # no store yet, or unreadable: candidates without context
        return None


def removed_mentions(store_path: str, article_id: str, in_article: pd.DataFrame) -> list[dict]:
    """Spans the analyst marked "not a place" (latest correction wins), so they can be undone."""
    from geo.view.data import open_store

    try:
        with open_store(store_path) as store:
            corrections = store.corrections()
    except Exception:  # no store yet, or unreadable: nothing to undo
        return []
    if corrections.empty:
        return []
    mine = corrections[corrections["article_id"] == article_id].drop_duplicates(["start", "end"], keep="last")
    present = set(zip(in_article["start"], in_article["end"], strict=True)) if len(in_article) else set()
    return [{"surface": r["surface"], "start": int(r["start"]), "end": int(r["end"]), "place_id": None,
             "name": None, "removed": True}
            for r in mine.to_dict("records")
            if pd.isna(r["gazetteer_id"]) and (int(r["start"]), int(r["end"])) not in present]


def upload_section(store_path: str) -> None:
    files = st.file_uploader("Articles (.txt seed format, .jsonl, .csv, .rss/.atom/.xml)",
                             accept_multiple_files=True, key="uploads")
    if not files or not st.button("Ingest", type="primary", key="ingest"):
        return
    from geo.view.upload import ingest_uploads

    status = st.empty()

    def progress(report) -> None:
        status.text(f"Ingested {report.read} records…")

    outcome = ingest_uploads([(f.name, f) for f in files], store_path, progress)
    status.empty()
    if outcome.error:
        st.error(f"Ingest stopped; articles stored before the error are kept: {outcome.error}")
    else:
        st.success(outcome.summary())
    if outcome.rejects:
        st.warning(f"{len(outcome.rejects)} rejected: nothing else was lost."
                   + (" The first 200 are listed." if len(outcome.rejects) > 200 else ""))
        st.table(pd.DataFrame([{"source": r.source, "record": r.record_id or "", "reason": r.reason}
                               for r in outcome.rejects[:200]]))
    st.cache_data.clear()


def attribution_footer(text: str) -> None:
    # a caption, not HTML in markdown: that would fetch a 190 kB parser chunk on the first paint
    st.caption(text)
