"""How long the printable PDFs take for a large deck (issue 4). A script, not a test.

Generates a cards folder of N synthetic items (default 3,000: realistic lengths, every
category, a third with distractors, some cloze), loads it once, then times in-process,
median of several runs:

  (a) baseline: Typst compiling a trivial document of N short paragraphs (the floor any
      Typst route pays: start-up, fonts, layout of that many lines, PDF writing)
  (b) the question sheet: picking, ordering and rendering N questions
  (c) the answer key
  (d) the flashcards (N cards, fronts and mirrored backs)

and prints each figure with its ratio to (a). Usage:

    python benchmarks/quiz_speed.py                  # N = 3000, 3 runs
    python benchmarks/quiz_speed.py --items 500 --runs 5
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import typst
from pypdf import PdfReader

from studydeck import api
from studydeck.model import DEFAULT_CATEGORIES
from studydeck.printing.flashcards import make_flashcards
from studydeck.printing.pdf import render_flashcards, render_key, render_sheet
from studydeck.printing.quiz import make_sheets

TEXT = (
    "patient nerve fibre dose daily weeks improvement pain sensory motor axonal demyelinating "
    "immunoglobulin plasma exchange steroid taper relapse remission neuropathy diabetic vitamin "
    "deficiency toxic alcohol renal hepatic infusion oral tablet β-blocker µg ≥ витамин"
)
WORDS = TEXT.split()


def write_cards(root: Path, count: int, rng: random.Random) -> None:
    (root / "deck.yaml").write_text("name: Benchmark\nid: benchmark\n", encoding="utf-8")

    def words(n: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(n))

    for start in range(0, count, 200):
        lines = [f"deck: Part {start // 200}", "items:"]
        for i in range(start, min(start + 200, count)):
            category = DEFAULT_CATEGORIES[i % len(DEFAULT_CATEGORIES)]
            lines += [f"  - id: item-{i}", f"    category: {category}"]
            if i % 7 == 0:
                lines.append(f'    cloze: "{words(6)} {{{{c1::{words(2)}}}}} {words(5)} {{{{c2::{words(1)}}}}}."')
            else:
                lines += [f'    q: "{words(rng.randint(6, 16))}?"', f'    a: "{words(rng.randint(2, 12))} {i} mg"']
                if i % 3 == 0:
                    lines.append(f'    wrong: ["{words(3)}", "{words(4)}", "{words(3)}"]')
            if i % 11 == 0:
                lines.append(f'    caution: "{words(20)}"')
        (root / f"part{start // 200:03}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


MEASURES: dict[str, str] = {
    "baseline": "(a) baseline: Typst, trivial document of N paragraphs",
    "sheet": "(b) question sheet (choice mode): select + render",
    "key": "(c) answer key",
    "flashcards": "(d) flashcards",
}


def measure(kind: str, cards_dir: Path) -> tuple[float, int]:
    """Seconds for one render, and its page count; run in a fresh process each time."""
    cards = api.load_deck(cards_dir)
    render: Callable[[], bytes]
    if kind == "baseline":
        trivial = "\n\n".join(f"Question {i}: what is the answer?" for i in range(len(cards.items))).encode()
        render = lambda: typst.compile(trivial, ignore_system_fonts=True)  # noqa: E731
    elif kind == "sheet":
        render = lambda: render_sheet(make_sheets(cards, mode="choice")[0])  # noqa: E731
    elif kind == "key":
        [sheet] = make_sheets(cards, mode="choice")
        render = lambda: render_key(sheet)  # noqa: E731
    else:
        flashcards = make_flashcards(cards, list(cards.items))
        render = lambda: render_flashcards(flashcards)  # noqa: E731
    start = time.perf_counter()
    pdf = render()
    seconds = time.perf_counter() - start
    return seconds, len(PdfReader(io.BytesIO(pdf)).pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--measure", choices=MEASURES, help=argparse.SUPPRESS)  # internal: one fresh-process run
    parser.add_argument("--cards", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        seconds, pages = measure(args.measure, args.cards)
        print(seconds, pages)
        return

    # Typst memoizes work within a process, so every run gets a fresh one (as a user's command does).
    results: dict[str, tuple[float, int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        cards_dir = Path(tmp)
        write_cards(cards_dir, args.items, random.Random(42))
        for kind in MEASURES:
            runs = []
            for _ in range(args.runs):
                command = [sys.executable, __file__, "--measure", kind, "--cards", str(cards_dir)]
                seconds, pages = subprocess.run(command, check=True, capture_output=True, text=True).stdout.split()
                runs.append((float(seconds), int(pages)))
            results[kind] = (statistics.median(s for s, _ in runs), runs[0][1])
    baseline = results["baseline"][0]
    print(f"{args.items} items, median of {args.runs} runs, each in a fresh process")
    for kind, label in MEASURES.items():
        seconds, pages = results[kind]
        print(f"  {label:<55} {seconds:6.2f} s  {seconds / baseline:5.2f}× (a)  {pages:4} pages")


if __name__ == "__main__":
    main()
