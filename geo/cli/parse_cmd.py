"""`geo parse FILE|-`: place mentions as JSON Lines, one document per line.

Input: a .txt file (first line may be `date YYYY-MM-DD`), a JSONL file (fields id, text,
published or date), or `-` for stdin (JSONL if every line is a JSON object, else text).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

# the seed format: the text opens with `date YYYY-MM-DD` (own line or not); offsets stay file offsets
DATE_HEADER = re.compile(r"\A\ufeff?\s*date\s+(\d{4}-\d{2}-\d{2})\b", re.IGNORECASE)
FIELDS = ("start", "end", "surface", "kind", "place_id", "name", "level", "country", "admin1_iso",
          "admin2_code", "lat", "lon", "precision", "modifier", "confidence", "evidence", "geometry_wkt")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", help="a .txt or .jsonl file, or - for stdin")
    p.add_argument("--all-fields", action="store_true", help="print every Mention field")


def text_document(raw: str, doc_id: str) -> dict:
    """A text file as one document; offsets stay relative to the whole file."""
    m = DATE_HEADER.match(raw)
    return {"id": doc_id, "text": raw, "published": m.group(1) if m else None}


def read_documents(source: str) -> Iterator[dict]:
    if source == "-":
        data = sys.stdin.buffer.read().decode("utf-8", errors="replace")
        name = "stdin"
    else:
        path = Path(source)
        data = path.read_bytes().decode("utf-8", errors="replace")
        name = path.stem
    lines = [ln for ln in data.splitlines() if ln.strip()]
    looks_jsonl = bool(lines) and all(ln.lstrip().startswith("{") for ln in lines)
    if looks_jsonl:
        try:
            for i, ln in enumerate(lines):
                d = json.loads(ln)
                yield {"id": d.get("id", f"{name}-{i}"), "text": d.get("text") or "",
                       "published": d.get("published") or d.get("date")}
            return
        except json.JSONDecodeError:
            pass
    yield text_document(data, name)


def run(args: argparse.Namespace) -> int:
    from geo.parse import default_parser

    if args.source != "-" and not Path(args.source).is_file():
        print(f"geo parse: no such file: {args.source}", file=sys.stderr)
        return 2
    parser = default_parser()
    out = sys.stdout
    for doc in read_documents(args.source):
        mentions = parser.parse(doc["text"], doc["published"])
        rows = [m.to_dict() if args.all_fields else {k: getattr(m, k) for k in FIELDS} for m in mentions]
        out.write(json.dumps({"id": doc["id"], "published": doc["published"], "mentions": rows},
                             ensure_ascii=False) + "\n")
    return 0
