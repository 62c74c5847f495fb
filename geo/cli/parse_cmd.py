"""`geo parse FILE|-`: place mentions as JSON Lines, one document per line.

Input: a .txt file (first line may be `date YYYY-MM-DD`), a JSONL file (fields id, text,
published or date; read by geo.read, split on "\n" only), or `-` for stdin (JSONL if every line
is a JSON object, else text).
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from geo.errors import InputError

log = logging.getLogger(__name__)

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


def json_documents(stream: BinaryIO, name: str) -> Iterator[dict]:
    """JSONL through geo.read's one reader (records split on "\n" only); a bad line is skipped
    with a warning, the other lines are parsed."""
    from geo.read import iter_json_lines, without_surrogates

    for i, (where, obj, why, _) in enumerate(iter_json_lines(stream, name)):
        text = obj.get("text") if obj is not None else None
        if obj is not None and not isinstance(text, str | None):
            why = f"'text' must be a string, got {type(text).__name__}"
        if why:
            log.warning("%s skipped: %s", where, why)
            continue
        published = obj.get("published") or obj.get("date")
        doc_id = obj.get("id", f"{name}-{i}")
        yield {"id": without_surrogates(doc_id)[0] if isinstance(doc_id, str) else doc_id,
               "text": without_surrogates(text or "")[0],
               "published": published if isinstance(published, str) else None}


def looks_like_jsonl(data: bytes) -> bool:
    lines = [ln for ln in data.split(b"\n") if ln.strip()]
    return bool(lines) and all(ln.lstrip().startswith(b"{") for ln in lines)


def read_documents(source: str) -> Iterator[dict]:
    """`-` (stdin), a .jsonl/.ndjson file, or any other file: JSONL when every line is a JSON
    object, else one text document."""
    from geo.read import JSONL_SUFFIXES, decode_bytes

    if source != "-" and Path(source).suffix.lower() in JSONL_SUFFIXES:
        with Path(source).open("rb") as stream:
            yield from json_documents(stream, Path(source).stem)
        return
    data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    name = "stdin" if source == "-" else Path(source).stem
    if looks_like_jsonl(data):
        yield from json_documents(io.BytesIO(data), name)
    else:
        yield text_document(decode_bytes(data)[0], name)


def run(args: argparse.Namespace) -> int:
    from geo.parse import default_parser

    if args.source != "-" and not Path(args.source).is_file():
        raise InputError(f"no such file: {args.source}")
    parser = default_parser()
    out = sys.stdout
    for doc in read_documents(args.source):
        mentions = parser.parse(doc["text"], doc["published"])
        rows = [m.to_dict() if args.all_fields else {k: getattr(m, k) for k in FIELDS} for m in mentions]
        out.write(json.dumps({"id": doc["id"], "published": doc["published"], "mentions": rows},
                             ensure_ascii=False) + "\n")
    return 0
