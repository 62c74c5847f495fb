"""`geo incidents ...`: rebuild the incidents, and the analysts' corrections of them (split,
merge, set-place, set-category, corrections, undo; geo/store/event_corrections.py)."""

from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    actions = p.add_subparsers(dest="action", required=True)

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = actions.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--store", help="store: a GeoPackage path or a PostGIS URL "
                         "(default: $GEO_STORE or data/incidents.gpkg)")
        return sub

    action("rebuild", "re-extract event reports and re-cluster them deterministically")
    split = action("split", "take an article out of an incident (it becomes an incident of "
                   "its own)")
    split.add_argument("incident", help="incident id, e.g. inc:sample-0076")
    split.add_argument("article", help="id of the article to take out")
    split.add_argument("--all", action="store_true", dest="whole_article",
                       help="take the article out of every incident it reports, not only "
                       "this one")
    merge = action("merge", "make two incidents one")
    merge.add_argument("incident")
    merge.add_argument("other", help="the other incident's id")
    place = action("set-place", "make a mention of one of the incident's articles the "
                   "event's place")
    place.add_argument("incident")
    place.add_argument("mention", help="mention id, e.g. sample-0080:180-187 (see "
                       "`geo export --layer mentions`)")
    category = action("set-category", "set an incident's category")
    category.add_argument("incident")
    category.add_argument("category", help="a category key of docs/events.md, e.g. protests")
    for sub in (split, merge, place, category):
        sub.add_argument("--note", default="", help="why (kept with the correction)")
    listing = action("corrections", "list the corrections of incidents")
    listing.add_argument("--all", action="store_true", help="undone ones too")
    undo = action("undo", "withdraw a correction (by its number in `geo incidents corrections`)")
    undo.add_argument("correction", type=int)


def run(args: argparse.Namespace) -> int:
    from geo import paths
    from geo.errors import StoreError
    from geo.store import IncidentStore

    location = args.store or paths.default_store()
    if not paths.store_exists(location):
        raise StoreError(f"no store at {location} (run `geo ingest` first)")
    with IncidentStore(location) as store:
        if args.action == "rebuild":
            count = store.rebuild_incidents()
            print(f"{count} incidents from {store.article_count()} articles -> {location}")
            return 0
        if args.action == "corrections":
            for c in store.event_corrections(active_only=not args.all):
                state = "" if c.active else " [undone]"
                print(f"{c.describe()}{state}  {c.created_at or ''}")
            return 0
        if args.action == "undo":
            c = store.undo_event_correction(args.correction)
            print(f"undone: {c.describe()}")
            return 0
        make = {"split": lambda: split(store, args),
                "merge": lambda: store.merge_incidents(args.incident, args.other, args.note),
                "set-place": lambda: store.set_incident_place(args.incident, args.mention,
                                                              args.note),
                "set-category": lambda: store.set_incident_category(args.incident,
                                                                    args.category, args.note)}
        fid = make[args.action]()
        done = next(c for c in store.event_corrections() if c.fid == fid)
        print(f"{done.describe()}; {len(store.incidents())} incidents now")
    return 0


def split(store, args: argparse.Namespace) -> int:
    """One report out of the incident, or (--all) the article out of every incident."""
    from geo.errors import StoreError
    from geo.store.event_corrections import reports_of_incident

    if not args.whole_article:
        return store.split_incident(args.incident, args.article, args.note)
    if args.article not in {a for a, _ in reports_of_incident(store.backend, args.incident)}:
        raise StoreError(f"article {args.article!r} is not a source of incident "
                         f"{args.incident!r}")
    return store.split_article(args.article, args.note)
