"""Reading PDFs back as a reader would see them: page sizes, text per page, text positions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

A4 = (595, 842)  # points, rounded
LETTER = (612, 792)


def flat(text: str) -> str:
    """Whitespace collapsed, so text wrapped over several lines still compares equal."""
    return " ".join(text.split())


def page_sizes(pdf: Path) -> list[tuple[int, int]]:
    return [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in PdfReader(pdf).pages]


def page_texts(pdf: Path) -> list[str]:
    """Each page's text, whitespace collapsed."""
    return [flat(page.extract_text()) for page in PdfReader(pdf).pages]


def all_text(pdf: Path) -> str:
    return " ".join(page_texts(pdf))


@dataclass(frozen=True)
class Placed:
    text: str
    x: float  # left end of the text's baseline, in points from the page's left edge
    y: float  # baseline, in points from the page's bottom edge


def placed_texts(pdf: Path, page_index: int) -> list[Placed]:
    """Every piece of text on one page, with where it starts."""
    found: list[Placed] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            # Typst positions each run with the current transformation matrix (cm); tm adds to it.
            found.append(Placed(text.strip(), cm[4] + tm[4], cm[5] + tm[5]))

    PdfReader(pdf).pages[page_index].extract_text(visitor_text=visit)
    return found
