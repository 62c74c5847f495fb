"""Controls to correct the selected incident: split a source out, merge with another incident,
"this is the event place", category, and undo (geo/store/event_corrections.py does the work).

A correction rereads the store and keeps the analyst's filters and selection: the selection
follows the incident that now holds the selected incident's first remaining report. Article
text (titles, outlets, mention surfaces) is untrusted: it is shown as plain text only (option
labels and st.text), never as markdown or HTML.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from geo.categories import LABELS
from geo.view import sidebar

MAX_MERGE_CHOICES = 200
SAVED = "ev_saved"  # session key: the last correction's message, shown after the rerun


def _text(value: object, limit: int = 80) -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def sources_of(row: dict) -> list[dict]:
    """The incident's sources (article_id, title, source, published), from its row."""
    try:
        listed = json.loads(row.get("sources") or "[]")
    except (TypeError, ValueError):
        listed = []
    by_id = {s.get("article_id"): s for s in listed if isinstance(s, dict)}
    try:
        ids = json.loads(row.get("article_ids") or "[]")
    except (TypeError, ValueError):
        ids = []
    ids = ids or [row.get("article_id")]
    return [by_id.get(a) or {"article_id": a} for a in ids if a]


def source_label(source: dict) -> str:
    parts = [_text(source.get("source"), 30), _text(source.get("title")),
             _text(source.get("published"), 10)]
    return " · ".join(p for p in parts if p) + f" ({source['article_id']})"


def _day(value: object) -> date | None:
    try:
        return pd.Timestamp(value).date() if value is not None and not pd.isna(value) else None
    except (TypeError, ValueError):
        return None


def merge_candidates(row: dict, shown: pd.DataFrame) -> pd.DataFrame:
    """Other incidents to merge with, likeliest first: the same admin-1 unit, then the same
    country, then the nearest date."""
    others = shown[shown["incident_id"].astype(str) != str(row["incident_id"])]
    if others.empty:
        return others
    when = _day(row.get("event_date"))
    rank = pd.DataFrame({
        "unit": (others["adm1_iso"] != row.get("adm1_iso")).astype(int),
        "country": (others["adm0_iso3"] != row.get("adm0_iso3")).astype(int),
        "days": [abs((d - when).days) if (d := _day(v)) and when else 10 ** 6
                 for v in others["event_date"]],
        "id": others["incident_id"].astype(str)}, index=others.index)
    order = rank.sort_values(["unit", "country", "days", "id"]).index
    return others.loc[order].head(MAX_MERGE_CHOICES)


def incident_label(row: dict) -> str:
    when = _text(row.get("event_date") or row.get("published"), 10) or "?"
    count = row.get("source_count")
    sources = f" · {int(count)} sources" if count is not None and not pd.isna(count) else ""
    return f"{when} · {_text(row.get('name'), 30) or '?'} · {_text(row.get('title'), 60)}" \
           f"{sources} ({row['incident_id']})"


def place_choices(row: dict, mentions: pd.DataFrame) -> pd.DataFrame:
    """Mentions of the incident's articles that have a place, the current one first."""
    if mentions.empty:
        return mentions
    ids = [s["article_id"] for s in sources_of(row)]
    found = mentions[mentions["article_id"].isin(ids) & mentions["lat"].notna()]
    current = found["mention_id"].astype(str) == str(row.get("mention_id"))
    return pd.concat([found[current], found[~current].sort_values(["article_id", "start"])])


def mention_label(m: dict) -> str:
    where = ", ".join(_text(v, 20) for v in (m.get("name"), m.get("level"), m.get("adm1_iso"))
                      if v is not None and not (isinstance(v, float) and pd.isna(v)))
    return f"“{_text(m.get('surface'), 40)}” → {where} ({m['mention_id']})"


def event_controls(store_path: str, selected: pd.DataFrame, shown: pd.DataFrame,
                   mentions: pd.DataFrame) -> None:
    """The controls for the selected incident (the first row of `selected`)."""
    from geo.view.data import open_store

    st.markdown("#### Correct this incident")
    if message := st.session_state.pop(SAVED, None):
        st.success(message)
    if selected.empty:
        st.caption("Select an incident on the map or in the table to split, merge, set its "
                   "place or category.")
        return
    row = selected.iloc[0].to_dict()
    incident_id = str(row["incident_id"])
    if row.get("analyst") and not pd.isna(row.get("analyst")):
        st.text(f"Set by an analyst: {row['analyst']}")
    sources = sources_of(row)
    note = st.text_input("Note (optional, kept with the correction)", key=f"ev_note_{incident_id}")

    def act(what: Callable, done: str, leaving: str | None = None) -> None:
        """Run a correction, then select the incident that holds the selected one's first
        report (not `leaving`'s) and reread the store; the filters stay as they are."""
        from geo.store.event_corrections import reports_of_incident

        try:
            with open_store(store_path) as store:
                keys = reports_of_incident(store.backend, incident_id)
                what(store)
                keep = next((k for k in keys if k[0] != leaving), keys[0])
                found = store.backend.execute(
                    "SELECT incident_id FROM article_incidents WHERE article_id = ? AND "
                    "report_index = ?", keep).fetchone()
        except Exception as exc:  # a refused correction says why; nothing is stored
            st.error("Not saved: the store refused the correction.")
            st.text(str(exc))  # names ids from the articles: plain text, not markdown
            return
        if found:
            st.session_state[sidebar.SELECTED] = str(found[0])
        st.cache_data.clear()
        st.session_state[SAVED] = done
        st.rerun()

    left, right = st.columns(2)
    with left:
        if len(sources) > 1:
            ids = [s["article_id"] for s in sources]
            labels = {s["article_id"]: source_label(s) for s in sources}
            article = st.selectbox("Source to take out of this incident", ids,
                                   format_func=labels.get, key=f"ev_split_pick_{incident_id}")
            everywhere = st.checkbox("...and out of every other incident it reports",
                                     key=f"ev_split_all_{incident_id}")
            if st.button("Split this source out", key="ev_split"):
                act(lambda s: s.split_article(article, note) if everywhere else
                    s.split_incident(incident_id, article, note),
                    "Split: the source is an incident of its own now.", leaving=article)
        else:
            st.caption("A single source: nothing to split.")
        candidates = merge_candidates(row, shown)
        if len(candidates):
            labels = {str(r["incident_id"]): incident_label(r)
                      for r in candidates.to_dict("records")}
            other = st.selectbox("Merge with", list(labels), format_func=labels.get, index=None,
                                 placeholder="Another incident (same area and date first)",
                                 key=f"ev_merge_pick_{incident_id}")
            if st.button("Merge into one incident", key="ev_merge", disabled=other is None):
                act(lambda s: s.merge_incidents(incident_id, other, note),
                    "Merged: the two incidents are one now.")
    with right:
        places = place_choices(row, mentions)
        if len(places):
            labels = {str(m["mention_id"]): mention_label(m) for m in places.to_dict("records")}
            mention = st.selectbox("This is the event place", list(labels),
                                   format_func=labels.get, key=f"ev_place_pick_{incident_id}")
            if st.button("Set the event place", key="ev_place",
                         disabled=mention == str(row.get("mention_id"))):
                act(lambda s: s.set_incident_place(incident_id, mention, note),
                    "Placed: the incident is at the chosen mention now.")
        keys = list(LABELS)
        current = str(row.get("category") or "other")
        category = st.selectbox("Category", keys, format_func=LABELS.get,
                                index=keys.index(current) if current in keys else None,
                                key=f"ev_category_pick_{incident_id}")
        if st.button("Set the category", key="ev_category", disabled=category == current):
            act(lambda s: s.set_incident_category(incident_id, category, note),
                f"Category set to {LABELS.get(category, category)}.")
    _undo_list(store_path, sources, str(row.get("analyst") or ""), act)


def _undo_list(store_path: str, sources: list[dict], analyst: str, act: Callable) -> None:
    """The corrections in force on this incident: on its sources, or named in its analyst
    note (a split took a source out of it), each with an undo button."""
    from geo.view.data import open_store

    ids = {s["article_id"] for s in sources}
    named = {int(n) for n in re.findall(r"correction #(\d+)", analyst)}
    try:
        with open_store(store_path) as store:
            mine = [c for c in store.event_corrections(active_only=True)
                    if c.article_id in ids or c.other_article_id in ids or c.fid in named]
    except Exception:  # no store yet, or unreadable: nothing to undo
        return
    if not mine:
        return
    st.markdown("###### Corrections of this incident")
    for c in mine:
        text, button = st.columns([5, 1])
        text.text(c.describe())
        if button.button("Undo", key=f"ev_undo_{c.fid}"):
            act(lambda s, fid=c.fid: s.undo_event_correction(fid), f"Undone: correction #{c.fid}.")
