"""Fuzz studydeck for longer than CI does: fresh random examples, round after round.

    python scripts/fuzz.py --minutes 10

Runs the property tests of tests/test_fuzz.py until the time is up, each round with new
random examples. Stops at the first failure, which hypothesis prints after shrinking it to
the smallest input it could find; exit status 1 then, 0 when nothing was found.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="how long to fuzz (default: 10)")
    parser.add_argument(
        "--examples",
        type=int,
        default=200,
        help="examples per test and round (default: 200; the tests that build long printouts run 1/15 of them)",
    )
    args = parser.parse_args()
    os.environ["STUDYDECK_FUZZ_EXAMPLES"] = str(args.examples)  # read by test_fuzz: random, not fixed, examples
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    import test_fuzz

    start = time.monotonic()
    rounds = examples = 0
    while time.monotonic() - start < args.minutes * 60:
        for test in test_fuzz.FUZZ_TESTS:
            try:
                test()
            except Exception:  # hypothesis has printed the falsifying example
                print(f"FAILED in {test.__name__} after {examples} examples", file=sys.stderr)
                raise
            examples += test_fuzz.examples_per_round(test)
        rounds += 1
        print(f"round {rounds}: {examples} examples, no failure ({time.monotonic() - start:.0f} s)", flush=True)
    print(f"fuzzed for {time.monotonic() - start:.0f} s: {examples} examples in {rounds} rounds, nothing found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
