"""Uploaded files into the store (no Streamlit here): the app's upload panel calls this.

Records stream from the readers into the store as they are read, so one bad record never stops
the others: every good record is stored, every bad one is listed with its reason and the name of
the file it came from.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from geo.errors import GeoError
from geo.read import FUTURE_DAYS, Reject, iter_records


@dataclass
class UploadOutcome:
    files: int
    read: int = 0
    stored: int = 0
    already_present: int = 0
    seconds: float = 0.0
    rejects: list[Reject] = field(default_factory=list)  # sources use the uploaded file names
    error: str | None = None  # the ingest stopped here; what was stored before is kept

    def summary(self) -> str:
        return (f"Read {self.read} records from {self.files} file(s): stored {self.stored}, "
                f"already present {self.already_present}, rejected {len(self.rejects)} "
                f"({self.seconds:.1f} s).")


def safe_name(name: str) -> str:
    """Keep the suffix (it selects the reader) but never trust an uploaded name as a path."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name)[-80:] or "upload"


def ingest_uploads(uploads: Iterable[tuple[str, bytes | BinaryIO]], store_path: str | Path,
                   progress: Callable[[object], None] | None = None, batch_size: int = 20,
                   future_days: int | None = FUTURE_DAYS) -> UploadOutcome:
    """(name, content) pairs -> stored records and named rejects."""
    from geo.store import IncidentStore

    with tempfile.TemporaryDirectory() as tmp:
        saved: dict[str, str] = {}  # temp path -> the name the analyst uploaded
        for i, (name, content) in enumerate(uploads):
            path = Path(tmp) / f"{i:03d}_{safe_name(name)}"
            with path.open("wb") as out:
                if isinstance(content, bytes | bytearray):
                    out.write(content)
                else:
                    shutil.copyfileobj(content, out)
            saved[str(path)] = name
        outcome = UploadOutcome(files=len(saved))
        try:
            with IncidentStore(store_path) as store:
                report = store.ingest(iter_records(list(saved), future_days=future_days),
                                      batch_size=batch_size, progress=progress)
        except (GeoError, sqlite3.Error, OSError) as exc:
            outcome.error = str(exc)
            return outcome

    def original(source: str) -> str:
        for temp, name in saved.items():
            source = source.replace(temp, name)
        return source

    outcome.read, outcome.stored = report.read, report.stored
    outcome.already_present, outcome.seconds = report.already_present, report.seconds
    outcome.rejects = [Reject(original(r.source), r.reason, r.record_id) for r in report.rejects]
    return outcome
