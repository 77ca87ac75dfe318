"""Cloze syntax: `{{c1::text}}` and `{{c1::text::hint}}`, parsed once and reused everywhere."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Note ids are allotted 100 apart so that card ids (note id + card ordinal) never collide.
MAX_CLOZE_NUMBER = 99
_OPEN = re.compile(r"\{\{c(\d+)::")


@dataclass(frozen=True, slots=True)
class Deletion:
    number: int
    text: str
    hint: str | None
    start: int  # offsets of the whole `{{…}}` in the source text
    end: int


@dataclass(frozen=True, slots=True)
class ClozeProblem:
    offset: int
    message: str


def parse_cloze(text: str) -> tuple[list[Deletion], list[ClozeProblem]]:
    """All deletions in ``text``, and every syntax problem with its offset."""
    deletions: list[Deletion] = []
    problems: list[ClozeProblem] = []
    pos = 0
    while True:  # each round moves pos past what it read (or stops), so the loop ends
        open_at = text.find("{{", pos)
        close_at = text.find("}}", pos)
        if close_at != -1 and (open_at == -1 or close_at < open_at):
            problems.append(ClozeProblem(close_at, "'}}' without a matching '{{c1::'"))
            pos = close_at + 2
            continue
        if open_at == -1:
            break
        match = _OPEN.match(text, open_at)
        if match is None:
            problems.append(ClozeProblem(open_at, "'{{' must start a deletion such as '{{c1::text}}'"))
            pos = open_at + 2
            continue
        body_start = match.end()
        end = text.find("}}", body_start)
        nested = text.find("{{", body_start)
        if end == -1:
            problems.append(ClozeProblem(open_at, "cloze deletion is not closed with '}}'"))
            break
        if nested != -1 and nested < end:
            problems.append(ClozeProblem(nested, "cloze deletions cannot be nested"))
            pos = end + 2
            continue
        number = int(match.group(1))
        body = text[body_start:end]
        answer, _, hint = body.partition("::")
        if number < 1 or number > MAX_CLOZE_NUMBER:
            problems.append(ClozeProblem(open_at, f"cloze number c{number} must be c1 to c{MAX_CLOZE_NUMBER}"))
        elif not answer.strip():
            problems.append(ClozeProblem(open_at, f"cloze deletion c{number} is empty"))
        else:
            deletions.append(Deletion(number, answer, hint or None, open_at, end + 2))
        pos = end + 2
    return deletions, problems


def _replace(text: str, show: str) -> str:
    deletions, _ = parse_cloze(text)
    parts: list[str] = []
    pos = 0
    for d in deletions:
        parts.append(text[pos : d.start])
        if show == "answer":
            parts.append(d.text)
        else:
            parts.append(f"[{d.hint}]" if d.hint else "_____")
        pos = d.end
    parts.append(text[pos:])
    return "".join(parts)


def reveal(text: str) -> str:
    """The cloze sentence with every deletion filled in."""
    return _replace(text, "answer")


def blank(text: str) -> str:
    """The cloze sentence with every deletion left blank (its hint shown, if any)."""
    return _replace(text, "blank")
