"""`make bench`: run every bench/bench_*.py (or those named) and print their figures.

make bench                      # all
make bench BENCH_ARGS=foundation
"""

import importlib
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent
    names = argv or sorted(p.stem.removeprefix("bench_") for p in here.glob("bench_*.py"))
    for name in names:
        module = importlib.import_module(f"bench.bench_{name}")
        started = time.monotonic()
        module.run()
        print(f"  ({name} took {time.monotonic() - started:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
