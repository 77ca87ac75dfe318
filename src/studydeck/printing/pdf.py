"""Quiz sheets, answer keys and flashcards rendered to PDF by Typst (templates in templates/).

The text goes to the template as JSON, so nothing in a card can be read as Typst markup and
no escaping is needed. Only the fonts bundled with Typst are used and the document carries
no creation date, so the same data gives the same bytes on every machine.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import typst

from studydeck.printing.flashcards import Flashcard, breakable
from studydeck.printing.quiz import Question, QuizSheet

Paper = Literal["a4", "letter"]
PAPERS: tuple[Paper, ...] = ("a4", "letter")
_TYPST_PAPER = {"a4": "a4", "letter": "us-letter"}
TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class CardGrid:
    """Where flashcards sit on a page; the grid is centred, so mirrored backs align with fronts."""

    columns: int = 2
    rows: int = 4
    margin_mm: float = 12  # most printers cannot print closer to the paper's edge
    padding_mm: float = 5  # inside each card, so a slightly-off cut never touches the text


CARD_GRID = CardGrid()


def _render(template: str, data: dict[str, Any]) -> bytes:
    pdf: bytes = typst.compile(
        TEMPLATES / template,
        root=TEMPLATES,
        sys_inputs={"data": json.dumps(_for_print(data), ensure_ascii=False)},
        ignore_system_fonts=True,
        font_paths=[],
    )
    return pdf


def _for_print(value: Any) -> Any:
    """Every text in the template's data, with long unbreakable runs made breakable."""
    if isinstance(value, str):
        return breakable(value)
    if isinstance(value, dict):
        return {key: _for_print(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_for_print(item) for item in value]
    return value


def _question_data(q: Question) -> dict[str, Any]:
    return {
        "number": q.number,
        "style": q.style,
        "prompt": q.prompt,
        "answer": q.answer,
        "key_prompt": q.key_prompt,
        "choices": list(q.choices),
        "letter": q.answer_letter,
        "lines": q.answer_lines,
        "source": q.source,
        "caution": q.caution,
    }


def _quiz_data(sheet: QuizSheet, paper: Paper, kind: Literal["sheet", "key"]) -> dict[str, Any]:
    return {
        "kind": kind,
        "paper": _TYPST_PAPER[paper],
        "title": sheet.title,
        "deck": sheet.deck_name,
        "date": sheet.date,
        "version": sheet.version,
        "selection": sheet.selection,
        "total": len(sheet.questions),
        "sections": [{"title": s.title, "questions": [_question_data(q) for q in s.questions]} for s in sheet.sections],
    }


def render_sheet(sheet: QuizSheet, paper: Paper = "a4") -> bytes:
    """The question sheet: header with a name and score line, numbered questions by category."""
    return _render("quiz.typ", _quiz_data(sheet, paper, "sheet"))


def render_key(sheet: QuizSheet, paper: Paper = "a4") -> bytes:
    """The answer key: same numbering, each answer with its letter, source and caution."""
    return _render("quiz.typ", _quiz_data(sheet, paper, "key"))


def render_flashcards(flashcards: list[Flashcard], paper: Paper = "a4", title: str = "Flashcards") -> bytes:
    """Fronts on odd pages, backs on even pages, mirrored for duplex printing on the long edge."""
    data = {
        "paper": _TYPST_PAPER[paper],
        "title": title,
        "grid": asdict(CARD_GRID),
        "cards": [
            {
                "id": card.item_id,
                "label": card.label,
                "front": card.front,
                "back": card.back,
                "caution": card.caution,
                "source": card.source,
            }
            for card in flashcards
        ],
    }
    return _render("flashcards.typ", data)
