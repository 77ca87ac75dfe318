"""Build speed at the scale of the largest medical decks (issue 5).

Generates a synthetic cards folder of N items (about 200 per file, realistic lengths, every
category, some cloze), then times whole processes, median of several runs:

  (a) baseline: what a user would write instead (PyYAML's C loader + genanki, no validation)
  (b) `studydeck build`, cold: no previous output, no cache
  (c) a no-op rebuild
  (d) a rebuild after editing one item
  (e) `studydeck check`
  (f) `studydeck watch`: from saving a one-item edit to the new package renamed into place
      (a `watch` process runs; the script saves the file, then polls the package's inode and
      modification time; median of 5 saves per run)
  (g) the peak memory of each

and prints each figure with its ratio to (a) and to (b). Then the same deck "with warnings"
(a quarter of the items are dosing items whose answer has no unit: 8,750 warnings at 35,000
items) gives (b) to (d) and (f) again. With ``--against PYTHON`` (the interpreter of
another studydeck installation, e.g. a checkout before a change, in its own venv), every
figure is also measured with that one, in turn with this one in the same run, and each row
gives the ratio this/that. Usage:

    python benchmarks/build_speed.py                 # N = 35,000 and 100,000
    python benchmarks/build_speed.py --items 5000 --runs 3
    python benchmarks/build_speed.py --items 35000 --against ../old/.venv/bin/python
    python benchmarks/build_speed.py --items 35000 --runs 3 --no-warnings
"""

from __future__ import annotations

import argparse
import os
import queue
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from dataclasses import dataclass
from pathlib import Path

CATEGORIES = [
    "mechanism", "indication", "dosing", "prognosis", "contraindication",
    "adverse-effect", "overdose", "formulation", "management", "classification",
]  # fmt: skip
WORDS = (
    "patient nerve fibre dose daily weeks improvement pain sensory motor axonal demyelinating "
    "immunoglobulin plasma exchange steroid taper relapse remission neuropathy diabetic "
    "vitamin deficiency toxic alcohol renal hepatic contraindicated pregnancy infusion oral "
    "tablet capsule ampoule injection maximum minimum treatment therapy response prognosis"
).split()

BASELINE = textwrap.dedent(
    """
    import sys, pathlib, yaml, genanki
    cards, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    deck_cfg = yaml.load((cards / "deck.yaml").read_text(), Loader=yaml.CLoader)
    model = genanki.Model(1607392319, "Simple", fields=[{"name": "Q"}, {"name": "A"}],
        templates=[{"name": "Card 1", "qfmt": "{{Q}}", "afmt": "{{FrontSide}}<hr id=answer>{{A}}"}])
    deck = genanki.Deck(2059400110, deck_cfg["name"])
    for path in sorted(cards.rglob("*.yaml")):
        if path.name == "deck.yaml":
            continue
        for item in yaml.load(path.read_text(), Loader=yaml.CLoader)["items"]:
            q, a = item.get("q") or item.get("cloze"), item.get("a", "")
            deck.add_note(genanki.Note(model=model, fields=[q, a], guid=genanki.guid_for(item["id"])))
    out.mkdir(parents=True, exist_ok=True)
    genanki.Package(deck).write_to_file(out / "baseline.apkg")
    """
)


def sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize()


def generate(folder: Path, items: int, per_file: int = 200, seed: int = 1, warnings: bool = False) -> None:
    """A cards folder with ``items`` items in files of ``per_file``; with ``warnings``, every
    fourth item is a dosing item without a unit (a warning each)."""
    rng = random.Random(seed)
    (folder / "cards").mkdir(parents=True)
    (folder / "cards" / "deck.yaml").write_text(
        "name: Synthetic deck\nid: synthetic-deck\nsources:\n  src:\n    title: A source\n"
    )
    for file_no in range(0, items, per_file):
        lines = [f"deck: Topic {file_no // 2000}::Part {file_no // per_file}", "source: src",
                 f"tags: [topic-{file_no // 2000}]", "items:"]  # fmt: skip
        for n in range(file_no, min(items, file_no + per_file)):
            category = CATEGORIES[n % len(CATEGORIES)]
            unitless = warnings and n % 4 == 0
            lines += [f"  - id: item-{n:06d}", f"    category: {'dosing' if unitless else category}"]
            if unitless and n % 5 == 4:
                lines.append(f'    cloze: "{sentence(rng, 6, 14)} {{{{c1::{sentence(rng, 1, 3)}}}}} daily."')
            elif unitless:
                lines.append(f"    q: {sentence(rng, 6, 16)}?")
                lines.append(f"    a: {sentence(rng, 2, 12)}")
            elif n % 5 == 4:
                lines.append(f'    cloze: "{sentence(rng, 6, 14)} {{{{c1::{rng.randint(1, 900)} mg}}}} daily."')
            else:
                lines.append(f"    q: {sentence(rng, 6, 16)}?")
                lines.append(f"    a: {sentence(rng, 2, 12)} {rng.randint(1, 900)} mg")
                if n % 3 == 0:
                    lines.append(f"    wrong: [{sentence(rng, 2, 5)}, {sentence(rng, 2, 5)}]")
            if n % 4 == 0:
                lines.append(f"    extra: {sentence(rng, 10, 30)}.")
            lines.append(f"    tags: [drug-{n % 97}, group::{n % 13}]")
        path = folder / "cards" / f"part-{file_no // per_file:04d}.yaml"
        path.write_text("\n".join(lines) + "\n")


@dataclass
class Measure:
    seconds: float
    peak_mib: float


def environment(cwd: Path) -> dict[str, str]:
    env = {**os.environ, "STUDYDECK_CACHE_DIR": str(cwd / "cache")}  # private, so "cold" can empty it
    # Python's bytecode cache on, as for any installed package (some sandboxes turn it off).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run(cmd: list[str], cwd: Path) -> Measure:
    """One whole process: wall time and peak resident memory (its own, not its workers')."""
    # stderr to a file, not a pipe: nobody reads a pipe while the process runs, and 10,000
    # warning lines would fill it and stop the process.
    with tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=environment(cwd), stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0,):
            stderr.seek(0)
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {stderr.read().decode()[-2000:]}")
    return Measure(elapsed, usage.ru_maxrss / 1024)


def median(measures: list[Measure]) -> Measure:
    return Measure(statistics.median(m.seconds for m in measures), max(m.peak_mib for m in measures))


FIGURES = ("cold", "noop", "edit", "check", "watch")
WARNED = ("cold", "noop", "edit", "watch")  # the figures measured again on the deck with warnings
#: Saves timed per watch process (each a one-item edit, waited for before the next).
WATCH_SAVES = 5


def edit_once(target: Path, n: int) -> None:
    """Edit one item of ``target``: the first question gets the prefix `Edit <n> ` (replacing any earlier one)."""
    text = target.read_text()
    text = re.sub(r"    q: (Edit \d+ )?", f"    q: Edit {n} ", text, count=1)
    target.write_text(text)


def package_id(package: Path) -> tuple[int, int] | None:
    try:
        info = package.stat()
    except FileNotFoundError:
        return None
    return info.st_ino, info.st_mtime_ns


class Watch:
    """A `studydeck watch` process, its output read as it comes."""

    def __init__(self, python: str, root: Path) -> None:
        cmd = [python, "-m", "studydeck", "watch", "--cards", "cards", "--out", "out"]
        env = {**environment(root), "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, text: str, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while True:
            line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            if line is None:
                raise SystemExit(f"watch ended before printing {text!r}")
            if text in line:
                return

    def stop(self) -> float:
        """Ctrl-C; the peak memory of the process (MiB)."""
        self.proc.send_signal(signal.SIGINT)
        _, status, usage = os.wait4(self.proc.pid, 0)
        self.proc.returncode = os.waitstatus_to_exitcode(status)
        return usage.ru_maxrss / 1024


def watch_latency(python: str, root: Path, first_edit: int) -> Measure:
    """Median time from saving a one-item edit to the new package in place, over WATCH_SAVES saves."""
    package = root / "out" / "synthetic-deck.apkg"
    watch = Watch(python, root)
    times = []
    try:
        watch.wait_for("Watching cards")
        for n in range(first_edit, first_edit + WATCH_SAVES):
            before = package_id(package)
            edit_once(root / "cards" / "part-0000.yaml", n)
            saved = time.perf_counter()
            while package_id(package) == before:  # (the package is replaced by a rename: a new inode)
                time.sleep(0.001)
            times.append(time.perf_counter() - saved)
            watch.wait_for("Items: 1 changed.")  # the whole rebuild is over (state written)
            time.sleep(0.5)  # and its cleanup: the next save is a burst of its own
    finally:
        peak = watch.stop()
    return Measure(statistics.median(times), peak)


def bench(items: int, runs: int, pythons: dict[str, str], warnings: bool = False) -> dict[str, dict[str, Measure]]:
    """Each figure for each named interpreter (each with a cards folder of its own), in turn."""
    figures = WARNED if warnings else FIGURES
    with tempfile.TemporaryDirectory(prefix="studydeck-bench-") as tmp:
        roots = {name: Path(tmp, name) for name in pythons}
        for root in roots.values():
            generate(root, items, warnings=warnings)
        script = Path(tmp) / "baseline.py"
        script.write_text(BASELINE)
        first = next(iter(roots.values()))
        results: dict[str, dict[str, list[Measure]]] = {name: {k: [] for k in figures} for name in pythons}
        baseline: list[Measure] = []
        for name, python in pythons.items():
            run([python, "-m", "studydeck", "build", "--cards", "cards", "--out", "out"], roots[name])  # the lockfile
        for i in range(runs):
            if not warnings:
                baseline.append(run([sys.executable, str(script), "cards", "base-out"], first))
            for name, python in pythons.items():
                root, studydeck = roots[name], [python, "-m", "studydeck"]
                build = [*studydeck, "build", "--cards", "cards", "--out", "out"]
                shutil.rmtree(root / "out", ignore_errors=True)
                shutil.rmtree(root / "cache", ignore_errors=True)
                results[name]["cold"].append(run(build, root))
                results[name]["noop"].append(run(build, root))
                edit_once(root / "cards" / "part-0000.yaml", i)
                results[name]["edit"].append(run(build, root))
                if "check" in figures:
                    results[name]["check"].append(run([*studydeck, "check", "--cards", "cards"], root))
                results[name]["watch"].append(watch_latency(python, root, 1000 * (i + 1)))
        measured = {name: {k: median(v) for k, v in found.items()} for name, found in results.items()}
        if baseline:
            for found in measured.values():
                found["baseline"] = median(baseline)
        return measured


LABELS = {
    "baseline": "(a) baseline: PyYAML C loader + genanki",
    "cold": "(b) studydeck build, cold",
    "noop": "(c) no-op rebuild",
    "edit": "(d) rebuild after a one-item edit",
    "check": "(e) studydeck check",
    "watch": "(f) watch: one-item save → package",
}


def report(items: int, results: dict[str, Measure], against: dict[str, Measure] | None = None, title: str = "") -> None:
    base = results.get("baseline")
    print(f"\nN = {items:,} items{title}")
    header = f"{'':44} {'seconds':>8} {'× (a)':>7} {'× (b)':>7} {'peak MiB':>9} {'× (a)':>6}"
    print(header + (f" {'against':>8} {'ratio':>6}" if against else ""), flush=True)
    for key, label in LABELS.items():
        if key not in results:
            continue
        m = results[key]
        of_base = f"{m.seconds / base.seconds:7.2f}" if base else f"{'':>7}"
        mem_of_base = f"{m.peak_mib / base.peak_mib:6.2f}" if base else f"{'':>6}"
        row = (
            f"{label:44} {m.seconds:8.3f} {of_base} "
            f"{m.seconds / results['cold'].seconds:7.3f} {m.peak_mib:9.0f} {mem_of_base}"
        )
        if against and key != "baseline":
            row += f" {against[key].seconds:8.3f} {m.seconds / against[key].seconds:6.2f}"
        print(row, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, action="append", help="items (repeatable; default 35000 and 100000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure; the median is reported")
    parser.add_argument("--against", metavar="PYTHON", help="also time the studydeck that PYTHON runs, in turn")
    parser.add_argument("--no-warnings", action="store_true", help="skip the deck with warnings")
    args = parser.parse_args()
    pythons = {"this": sys.executable, **({"against": args.against} if args.against else {})}
    for items in args.items or [35_000, 100_000]:
        results = bench(items, args.runs, pythons)
        report(items, results["this"], results.get("against"))
        if not args.no_warnings:
            results = bench(items, args.runs, pythons, warnings=True)
            report(items, results["this"], results.get("against"), title=", with warnings (a quarter of the items)")


if __name__ == "__main__":
    main()
