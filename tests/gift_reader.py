"""A strict GIFT reader for the tests: what Moodle's importer (question/format/gift) makes of a file.

No GIFT parser on PyPI reads GIFT as Moodle does (pygiftparser 1.1 stops a `$CATEGORY:` at the
first space and leaves `\\:` escaped in general feedback; pygiftparserrgmf 0.0.5 fails on `####`
general feedback), so this module follows Moodle's own steps, in the same order:

1. questions are runs of non-blank lines (each line trimmed; PHP's `empty()` also takes "0"
   for blank); lines starting with `//` are comments;
2. escapes are swapped for placeholders first (`\\\\` is a backslash, then `\\: \\# \\= \\{ \\} \\~ \\n`),
   and put back only in names, texts and answers, so escaped characters never act as syntax;
3. `$CATEGORY:` switches the category; `::name::` names the question; the answer block runs
   from the first `{` to the first `}`; text after it makes a "missing word" question;
4. `####` starts the general feedback; the type follows from the block: empty is an essay,
   `~` multiple choice, `=` with `->` matching, `T`/`F` true-false, `#` numerical, else short answer;
5. `%50%` before an answer is its weight, `#` after it its feedback, `[html]` before a text its format.

Where Moodle would quietly accept something odd, this reader raises `GiftError`: a special
character left unescaped outside the answer block, a second `{` or `}`, a `:` in an answer block,
an unnamed question. A writer that passes it escaped everything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PLACEHOLDERS = {"\\:": "&&058;", "\\#": "&&035;", "\\=": "&&061;", "\\{": "&&123;", "\\}": "&&125;", "\\~": "&&126;"}
NEWLINE_PLACEHOLDER = "&&010"
FORMATS = {"moodle", "html", "plain", "markdown"}
WEIGHT = re.compile(r"^%-*([0-9]{1,2})\.?([0-9]*)%")
SPECIAL = set("~=#{}:")


class GiftError(ValueError):
    pass


@dataclass(frozen=True)
class GiftAnswer:
    text: str
    fraction: float
    feedback: str = ""


@dataclass(frozen=True)
class GiftQuestion:
    category: str
    name: str
    qtype: str  # essay, multichoice, shortanswer, truefalse, numerical, match, description
    text: str
    text_format: str
    answers: tuple[GiftAnswer, ...] = ()
    general_feedback: str = ""
    missing_word: bool = False  # the answer block stood inside the text (shown as _____)


def escaped_pre(text: str) -> str:
    text = text.replace("\\\\", "&&092;")
    for escape, placeholder in PLACEHOLDERS.items():
        text = text.replace(escape, placeholder)
    text = text.replace("\\n", NEWLINE_PLACEHOLDER)
    return text.replace("&&092;", "\\")


def escaped_post(text: str) -> str:
    for escape, placeholder in PLACEHOLDERS.items():
        text = text.replace(placeholder, escape[1])
    return text.replace(NEWLINE_PLACEHOLDER, "\n")


def with_format(text: str, default: str) -> tuple[str, str]:
    """`[html]text` → ("text", "html"); an unknown name in brackets is left in the text."""
    fmt = default
    if text.startswith("["):
        end = text.find("]")
        if end != -1 and text[1:end] in FORMATS:
            fmt, text = text[1:end], text[end + 1 :]
    return escaped_post(text).strip(), fmt


def _strict_outside(text: str, where: str) -> None:
    found = SPECIAL & set(text)
    if found:
        raise GiftError(f"unescaped {''.join(sorted(found))!r} in {where}: {text!r}")


def _answer_with_feedback(answer: str, fmt: str) -> tuple[str, str]:
    text, _, feedback = answer.partition("#")
    return with_format(text.strip(), fmt)[0], with_format(feedback.strip(), fmt)[0] if feedback else ""


def _weight(answer: str) -> tuple[float | None, str]:
    """`%50%text` → (0.5, "text"): Moodle checks the form with a pattern, then reads up to the next `%`."""
    if WEIGHT.match(answer) is None:
        return None, answer
    end = answer.index("%", 1)
    return float(answer[1:end]) / 100, answer[end + 1 :]


def read_question(lines: list[str], category: str) -> GiftQuestion | str | None:
    """One question, or the new category (a str), or None for a block of comments."""
    text = "\n".join(line for line in lines if not line.startswith("//")).strip()
    if not text:
        return None
    text = escaped_pre(text)
    if text.startswith("$CATEGORY:"):
        return text[len("$CATEGORY:") :].strip()  # Moodle puts no escapes back in a category
    if not text.startswith("::"):
        raise GiftError(f"a question without a ::name::: {text!r}")
    end = text.find("::", 2)
    if end == -1:
        raise GiftError(f"the name is not closed with '::': {text!r}")
    name = escaped_post(text[2:end]).strip()
    text = text[end + 2 :].strip()

    start, finish = text.find("{"), text.find("}")
    if start == -1 and finish == -1:
        _strict_outside(text, "a description")
        body, fmt = with_format(text, "moodle")
        return GiftQuestion(category, name, "description", body, fmt)
    if start == -1 or finish == -1 or finish < start:
        raise GiftError(f"unbalanced braces: {text!r}")
    block = text[start + 1 : finish].strip()
    before, after = text[:start], text[finish + 1 :]
    _strict_outside(before, "the question text")
    _strict_outside(after, "the text after the answers")
    if ":" in block or "{" in block:
        raise GiftError(f"unescaped ':' or '{{' in the answers: {block!r}")
    missing_word = not text.endswith("}")
    question_text = before + ("_____" if missing_word else "") + after

    general_feedback = ""
    separator = block.rfind("####")
    if separator != -1:
        general_feedback, block = block[separator + 4 :], block[:separator].strip()
    body, fmt = with_format(question_text, "moodle")
    feedback = with_format(general_feedback.strip(), fmt)[0]

    answers: list[GiftAnswer] = []
    if block == "":
        qtype = "essay"
    elif block.startswith("#"):
        qtype = "numerical"
        answers.append(GiftAnswer(block[1:].strip(), 1.0))
    elif "~" in block:
        qtype = "multichoice"
        for raw in block.replace("=", "~=").split("~"):
            raw = raw.strip()
            if not raw:
                continue
            if raw.startswith("="):
                fraction: float | None = 1.0
                raw = raw[1:]
            else:
                fraction, raw = _weight(raw)
            answer, answer_feedback = _answer_with_feedback(raw, fmt)
            answers.append(GiftAnswer(answer, fraction or 0.0, answer_feedback))
        if len(answers) < 2:
            raise GiftError(f"multiple choice needs two answers: {block!r}")
    elif "=" in block and "->" in block:
        qtype = "match"
    elif block.partition("#")[0].strip() in ("T", "TRUE", "F", "FALSE"):
        qtype = "truefalse"
        answers.append(GiftAnswer(block.partition("#")[0].strip(), 1.0))
    else:
        qtype = "shortanswer"
        for raw in block.split("="):
            raw = raw.strip()
            if not raw:
                continue
            fraction, raw = _weight(raw)
            answer, answer_feedback = _answer_with_feedback(raw, fmt)
            answers.append(GiftAnswer(answer, 1.0 if fraction is None else fraction, answer_feedback))
        if not answers:
            raise GiftError(f"a short answer needs an answer: {block!r}")
    return GiftQuestion(category, name, qtype, body, fmt, tuple(answers), feedback, missing_word)


def read_gift(text: str) -> list[GiftQuestion]:
    """Every question in a GIFT file, each with the category it was imported into."""
    questions: list[GiftQuestion] = []
    category = ""
    block: list[str] = []
    for line in [*text.split("\n"), ""]:
        line = line.strip()
        if line not in ("", "0"):
            block.append(line)
            continue
        if block:
            found = read_question(block, category)
            if isinstance(found, str):
                category = found
            elif found is not None:
                questions.append(found)
            block = []
    return questions
