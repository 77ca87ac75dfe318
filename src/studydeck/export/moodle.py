"""Moodle XML (`<quiz>`), as Moodle's own *Question bank › Import* reads it (question/format/xml).

A `category` question per subdeck comes before its questions. HTML goes in CDATA exactly when
it needs escaping (as Moodle's export does); a picture is a base64 `<file>` beside the text
that refers to it as `@@PLUGINFILE@@/<name>`.
"""

from __future__ import annotations

import base64
import html

from studydeck.export.items import Tracker, untracked
from studydeck.export.questions import (
    Blank,
    Category,
    LmsQuestion,
    general_feedback,
    lms_question,
    moodle_category_path,
    picture,
    question_bank,
    wildcard_literal,
    xml_safe,
)
from studydeck.model import Cards

# Moodle's usual penalty for each wrong try in interactive quizzes; it rounds 0.333 to this itself.
PENALTY = "0.3333333"


def text(value: str) -> str:
    """A `<text>` value: as it is when nothing in it needs escaping, otherwise in CDATA (a `]]>` inside
    is split over two sections), as Moodle's own export writes it."""
    value = xml_safe(value)
    if html.escape(value) == value:
        return value
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


# Inside `{1:SHORTANSWER:=…}` Moodle ends an answer at `~`, `#` or `}` and decodes HTML entities
# afterwards (qtype_multianswer_extract_question), so these are written as numeric entities.
_CLOZE_ANSWER = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\\": "&#92;",
        "{": "&#123;",
        "}": "&#125;",
        "#": "&#35;",
        "~": "&#126;",
    }
)
# Around the blanks, a `{` could start another embedded answer (`{1:SA:=…}`): both braces become entities.
_CLOZE_TEXT = str.maketrans({"{": "&#123;", "}": "&#125;"})


def cloze_text(question: LmsQuestion) -> str:
    """The question text with one embedded short answer per deletion, its hint (if any) after the box."""
    parts = []
    for part in question.cloze:
        if isinstance(part, Blank):
            parts.append("{1:SHORTANSWER:=" + wildcard_literal(part.answer).translate(_CLOZE_ANSWER) + "}")
            if part.hint_html:
                parts.append(f" ({part.hint_html.translate(_CLOZE_TEXT)})")
        else:
            parts.append(part.translate(_CLOZE_TEXT))
    return "".join(parts)


def _category(category: Category) -> str:
    return (
        '  <question type="category">\n'
        f"    <category>\n      <text>{text(moodle_category_path(category.names))}</text>\n    </category>\n"
        '    <info format="html">\n      <text></text>\n    </info>\n'
        "  </question>"
    )


def _answer(fraction: int, value: str, fmt: str) -> str:
    return (
        f'    <answer fraction="{fraction}" format="{fmt}">\n'
        f"      <text>{text(value)}</text>\n"
        '      <feedback format="html">\n        <text></text>\n      </feedback>\n'
        "    </answer>"
    )


def _question(cards: Cards, question: LmsQuestion) -> str:
    item = question.item
    image = picture(cards, item)
    feedback = general_feedback(cards, question, f'<img src="@@PLUGINFILE@@/{image.name}" alt="">' if image else "")
    files = (
        f'      <file name="{image.name}" path="/" encoding="base64">{base64.b64encode(image.data).decode()}</file>\n'
        if image
        else ""
    )
    qtype = question.kind
    body = cloze_text(question) if qtype == "cloze" else question.text_html
    lines = [
        f'  <question type="{qtype}">',
        f"    <name>\n      <text>{text(item.id)}</text>\n    </name>",
        f'    <questiontext format="html">\n      <text>{text(body)}</text>\n    </questiontext>',
        f'    <generalfeedback format="html">\n      <text>{text(feedback)}</text>\n{files}    </generalfeedback>',
    ]
    if qtype != "cloze":  # a cloze question's mark is the sum of its blanks'
        lines.append("    <defaultgrade>1</defaultgrade>")
    lines += [f"    <penalty>{PENALTY}</penalty>", "    <hidden>0</hidden>"]
    lines.append(f"    <idnumber>{text(item.id)}</idnumber>")
    if qtype == "multichoice":
        lines += [
            "    <single>true</single>",
            "    <shuffleanswers>true</shuffleanswers>",
            "    <answernumbering>abc</answernumbering>",
            "    <showstandardinstruction>0</showstandardinstruction>",
        ]
        lines += [_answer(100 if choice.correct else 0, choice.html, "html") for choice in question.choices]
    elif qtype == "shortanswer":
        lines.append("    <usecase>0</usecase>")
        lines.append(_answer(100, wildcard_literal(question.answer), "moodle_auto_format"))
    elif qtype == "essay":
        lines += [
            "    <responseformat>editor</responseformat>",
            "    <responserequired>1</responserequired>",
            "    <responsefieldlines>10</responsefieldlines>",
            "    <attachments>0</attachments>",
            "    <attachmentsrequired>0</attachmentsrequired>",
            f'    <graderinfo format="html">\n      <text>{text(question.answer)}</text>\n    </graderinfo>',
            '    <responsetemplate format="html">\n      <text></text>\n    </responsetemplate>',
        ]
    tags = "".join(f"      <tag>\n        <text>{text(tag)}</text>\n      </tag>\n" for tag in item.all_tags)
    lines.append(f"    <tags>\n{tags}    </tags>")
    lines.append("  </question>")
    return "\n".join(lines)


def export_moodle(cards: Cards, track: Tracker = untracked) -> str:
    """Moodle XML: a category per subdeck, then its questions; UTF-8, one question bank."""
    questions = {item.id: lms_question(item) for item in track(cards.items)}
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    for category in question_bank(cards, questions):
        out.append(_category(category))
        out += [_question(cards, question) for question in category.questions]
    out.append("</quiz>")
    return "\n".join(out) + "\n"
