"""The printable PDF files: their names, their date, and the set `studydeck build` writes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # rendering is loaded only when something is printed (a large deck's build prints nothing)
    from studydeck.identity.lockfile import Lockfile
    from studydeck.model import Cards
    from studydeck.printing.pdf import Paper
    from studydeck.printing.quiz import QuizSheet


#: `build` prints the whole deck only up to this size: a larger deck would make a sheet of
#: hundreds of pages (and seconds of rendering on every edit); print a selection with `quiz`.
MAX_PRINTED_ITEMS = 1500


def quiz_paths(out: Path, version: str = "") -> tuple[Path, Path]:
    """`quiz.pdf` → (`quiz.pdf`, `quiz-key.pdf`); version A → (`quiz-A.pdf`, `quiz-A-key.pdf`)."""
    base = out.with_suffix("") if out.suffix.lower() == ".pdf" else out
    stem = f"{base.name}-{version}" if version else base.name
    return base.with_name(f"{stem}.pdf"), base.with_name(f"{stem}-key.pdf")


def deck_date(lock: Lockfile) -> str:
    """The day the deck last changed, from the lockfile (not the clock, so rebuilds are identical)."""
    if not lock.last_change:
        return ""
    return dt.datetime.fromtimestamp(lock.last_change, dt.UTC).date().isoformat()


def quiz_files(sheets: list[QuizSheet], out: Path, paper: Paper) -> dict[Path, bytes]:
    """Each version's question sheet and answer key, rendered."""
    from studydeck.printing.pdf import render_key, render_sheet

    files = {}
    for sheet in sheets:
        sheet_path, key_path = quiz_paths(out, sheet.version)
        files[sheet_path] = render_sheet(sheet, paper)
        files[key_path] = render_key(sheet, paper)
    return files


def flashcards_title(cards: Cards) -> str:
    return f"{cards.deck.name}: flashcards"


def printout_paths(deck_id: str, out_dir: Path) -> list[Path]:
    """The files `build` writes beside the .apkg (when the deck has items)."""
    sheet, key = quiz_paths(out_dir / f"{deck_id}-quiz.pdf")
    return [sheet, key, out_dir / f"{deck_id}-flashcards.pdf"]


def build_printouts(cards: Cards, out_dir: Path, date: str) -> dict[Path, bytes]:
    """What `build` writes beside the .apkg: the full quiz (open questions), its key, and flashcards."""
    from studydeck.printing.flashcards import make_flashcards
    from studydeck.printing.pdf import render_flashcards, render_key, render_sheet
    from studydeck.printing.quiz import make_sheets

    if not cards.items:
        return {}  # a new, empty deck: nothing to print yet
    sheet_pdf, key_pdf, flashcards_pdf = printout_paths(cards.deck.id, out_dir)
    [sheet] = make_sheets(cards, date=date)
    flashcards = make_flashcards(cards, list(cards.items))
    return {
        sheet_pdf: render_sheet(sheet, "a4"),
        key_pdf: render_key(sheet, "a4"),
        flashcards_pdf: render_flashcards(flashcards, "a4", flashcards_title(cards)),
    }
