"""Run every benchmark in bench/ one after another (`make bench`). Results go to bench/results/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
SKIPPED = 3  # the exit code of a benchmark whose tool is missing here (it says which)


def main() -> int:
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"\n=== {script.name}", flush=True)
        code = subprocess.run([sys.executable, str(script)]).returncode
        if code not in (0, SKIPPED):
            failed.append(script.name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
