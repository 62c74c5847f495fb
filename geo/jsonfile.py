"""One atomic JSON writer for files that other processes read while we write them."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def write_json_atomic(target: Path, value: object) -> None:
    """Write JSON beside the target and rename it in: a reader never sees half a file (two
    writers at once: the last rename wins, whole)."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(value, f, ensure_ascii=False, separators=(",", ":"))
        os.chmod(tmp, 0o644)  # readable like the files beside it (mkstemp makes it private)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
