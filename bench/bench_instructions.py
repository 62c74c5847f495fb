"""Instructions and cache misses of the parser's unseen and re-read LGL passes, counted by
valgrind's callgrind: the steady figure beside bench_parse.py's timings, which the load of
other jobs on a shared machine moves by tens of percent.

    .venv/bin/python bench/bench_instructions.py [--cache-sim] [--root OTHER_CHECKOUT]

A child process (under callgrind, instrumentation off) loads the parser and warms every cache
on the other dev corpora (ECB+ dev, GeoVirus, GeoCorpora), as bench_parse.py's unseen-text
probe does; then this process switches instrumentation on (callgrind_control) for one pass
over LGL, which the child has never read, and dumps the counts, then for a second pass over
the same texts (every per-name cache warm), and dumps again. PYTHONHASHSEED is fixed so two
runs of the same code count alike. --cache-sim adds callgrind's cache simulation: last-level
read and write misses, which is where text met for the first time loses time beyond its
instructions (cold index records, and the garbage collector walking long-lived objects).
--root runs another checkout's code (with its own built index) on the same texts, to compare.
Needs valgrind (apt-get install valgrind); the rest of the suite does not.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import paths  # noqa: E402

WARM_CORPORA = ("events_ecbplus_dev", "geovirus", "geocorpora")
PASSES = ("unseen", "reread")
# the child: its root first on the path, so --root runs that checkout's geo package
CHILD = """
import json, os, sys, time
sys.path.insert(0, os.getcwd())
from geo.parse import Parser
signals, warm_paths, timed_path = sys.argv[1], sys.argv[2:-1], sys.argv[-1]
def texts(path):
    return [json.loads(line)["text"] for line in open(path, encoding="utf-8") if line.strip()]
warm = [t for p in warm_paths for t in texts(p)]
timed = texts(timed_path)
parser = Parser()
for t in warm:
    parser.parse(t)
for step in ("unseen", "reread", "done"):
    open(os.path.join(signals, step + ".ready"), "w").close()  # the parent counts what follows
    while not os.path.exists(os.path.join(signals, step + ".go")):
        time.sleep(0.05)
    if step != "done":
        for t in timed:
            parser.parse(t)
"""


def _wait(path: Path, child: subprocess.Popen, timeout: float = 3600) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if child.poll() is not None:
            raise RuntimeError(f"the callgrind child ended early (exit {child.returncode})")
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {path.name}")
        time.sleep(0.2)


def _control(*args: str) -> None:
    subprocess.run(["callgrind_control", *args], check=True, capture_output=True)


def _summary(dump: Path) -> dict[str, int]:
    """The event totals of a callgrind dump: {"Ir": ..., "DLmr": ...}."""
    text = dump.read_text(errors="replace")
    events = re.search(r"^events: (.+)$", text, re.M)
    totals = re.search(r"^(?:summary|totals): (.+)$", text, re.M)
    if events is None or totals is None:
        raise RuntimeError(f"{dump}: no event totals")
    return dict(zip(events.group(1).split(), map(int, totals.group(1).split()), strict=False))


def count_passes(root: Path, shared: Path, cache_sim: bool) -> dict[str, dict[str, int]]:
    """Event totals of the unseen and re-read LGL passes of root's parser."""
    warm = [str(shared / "eval" / f"{n}.jsonl") for n in WARM_CORPORA if (shared / "eval" / f"{n}.jsonl").exists()]
    timed = shared / "eval" / "lgl.jsonl"
    if not warm or not timed.exists():
        raise SystemExit(f"bench_instructions: the dev corpora are missing under {shared / 'eval'}")
    with tempfile.TemporaryDirectory(prefix="callgrind-") as tmp:
        signals = Path(tmp)
        out = signals / "callgrind.out"
        cmd = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}"]
        if cache_sim:
            cmd.append("--cache-sim=yes")
        cmd += [sys.executable, "-c", CHILD, str(signals), *warm, str(timed)]
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        with open(signals / "child.log", "w") as log:
            child = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
            try:
                pid = str(child.pid)
                _wait(signals / "unseen.ready", child)
                _control("-i", "on", pid)
                _control("-z", pid)
                (signals / "unseen.go").touch()
                for step, after in (("unseen", "reread"), ("reread", "done")):
                    _wait(signals / f"{after}.ready", child)
                    _control("-d", step, pid)
                    (signals / f"{after}.go").touch()
                child.wait(timeout=600)
            finally:
                if child.poll() is None:
                    child.kill()
        dumps = sorted(signals.glob("callgrind.out.[0-9]*"), key=lambda p: int(p.name.rsplit(".", 1)[1]))
        if len(dumps) < 2:
            raise RuntimeError(f"expected two dumps, found {[d.name for d in dumps]}: "
                               f"{(signals / 'child.log').read_text()[-2000:]}")
        return {name: _summary(dump) for name, dump in zip(PASSES, dumps[:2], strict=True)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache-sim", action="store_true", help="count last-level cache misses too (slower)")
    ap.add_argument("--root", type=Path, default=ROOT, help="the checkout whose parser is counted")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = ap.parse_args()
    if not shutil.which("valgrind") or not shutil.which("callgrind_control"):
        print("bench_instructions: skipped, valgrind is missing (apt-get install valgrind)", file=sys.stderr)
        return 3  # (run_all.SKIPPED)
    root = args.root.resolve()
    t0 = time.monotonic()
    counts = count_passes(root, paths.shared_dir(), args.cache_sim)
    print(f"callgrind over {root} (PYTHONHASHSEED=0; warm on {', '.join(WARM_CORPORA)} uninstrumented; "
          f"{time.monotonic() - t0:.0f} s)")
    names = {"Ir": "instructions", "DLmr": "last-level read misses", "DLmw": "last-level write misses"}
    for event, label in names.items():
        if event in counts["unseen"]:
            u, r = counts["unseen"][event], counts["reread"][event]
            print(f"{label:<24} unseen {u:>15,}  re-read {r:>15,}  first meetings (difference) {u - r:>15,}")
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"bench_instructions-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps({"root": str(root), "cache_sim": args.cache_sim, "passes": counts}, indent=1))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
