"""Reading the LMS exports back as the importers do: Moodle XML and QTI with the standard library's XML
parser (expat, as Moodle's xmlize and Canvas's Nokogiri are XML parsers), plus the steps the importers
take after parsing (Moodle's cloze extraction and short-answer matching, Canvas's blanks).

No maintained PyPI package reads QTI 1.2 packages: qti-package-maker's Canvas QTI 1.2 engine
writes only (its `read_package` raises NotImplementedError), so the package is read here.
"""

from __future__ import annotations

import base64
import html
import io
import re
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser

from test_xss import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

# -- HTML as a learner's browser sees it ---------------------------------------------------------


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def visible_text(fragment: str) -> str:
    """The text an HTML fragment shows, whitespace collapsed."""
    parser = _Visible()
    parser.feed(fragment)
    parser.close()
    return " ".join("".join(parser.text).split())


MOODLE_PICTURE = re.compile(r"@@PLUGINFILE@@/sd-[0-9a-f]{20}\.[a-z]+")
DATA_PICTURE = re.compile(r"data:image/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=]+")


def assert_b12_feedback(feedback: str, picture: bytes) -> None:
    """The general feedback of `lms_decks`' b12-route item: the answer, extra, caution and
    source as text, and the picture inline (a `data:` URI holding its bytes)."""
    text = visible_text(feedback)
    assert text.startswith("Answer: 1000 µg IM on alternate days, then monthly for life.")
    assert "Oral 1000 µg daily also works in most patients. Caution: Check folate too." in text
    assert text.endswith("Source: The source article · reviewed 2025-07-04 · link")
    [src] = re.findall(r'<img src="([^"]+)"', feedback)
    assert DATA_PICTURE.fullmatch(src) and base64.b64decode(src.split(",", 1)[1]) == picture


def assert_inert(fragment: str, where: str) -> None:
    """``fragment`` shows text and harmless markup only: the tags and attributes the Anki fields allow
    (tests/test_xss.py), links to http(s), pictures only from the export itself."""
    parser = _Visible()
    parser.feed(fragment)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, f"<{tag}> in {where}: {fragment}"
        for name, value in attrs:
            assert name in ALLOWED_ATTRIBUTES, f"{name}= on <{tag}> in {where}: {fragment}"
            if name == "href":
                assert (value or "").strip().lower().startswith(("http://", "https://")), f"href={value!r} in {where}"
            if name == "src":
                assert MOODLE_PICTURE.fullmatch(value or "") or DATA_PICTURE.fullmatch(value or ""), where


# -- Moodle XML --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MoodleAnswer:
    text: str
    fraction: float
    format: str


@dataclass(frozen=True)
class MoodleQuestion:
    qtype: str
    category: str  # the category path in force, as written
    name: str
    idnumber: str
    text: str
    general_feedback: str
    answers: tuple[MoodleAnswer, ...] = ()
    grader_info: str = ""
    tags: tuple[str, ...] = ()
    files: dict[str, bytes] = field(default_factory=dict)  # every <file>, by name
    options: dict[str, str] = field(default_factory=dict)  # single, shuffleanswers, usecase, …


def _text(element: ET.Element | None) -> str:
    """A `<text>` child's content, trimmed as Moodle's getpath(…, istext=true) does."""
    if element is None:
        return ""
    found = element.find("text")
    return (found.text or "").strip() if found is not None else ""


def read_moodle(data: bytes) -> list[MoodleQuestion]:
    root = ET.fromstring(data)
    assert root.tag == "quiz"
    category = ""
    questions = []
    for question in root.findall("question"):
        qtype = question.get("type", "")
        if qtype == "category":
            category = _text(question.find("category"))
            continue
        files = {
            f.get("name", ""): base64.b64decode(f.text or "")
            for part in ("questiontext", "generalfeedback")
            for f in question.findall(f"{part}/file")
        }
        options = {
            child.tag: (child.text or "").strip()
            for child in question
            if len(child) == 0 and child.tag not in ("idnumber",)
        }
        questions.append(
            MoodleQuestion(
                qtype=qtype,
                category=category,
                name=_text(question.find("name")),
                idnumber=(question.findtext("idnumber") or "").strip(),
                text=_text(question.find("questiontext")),
                general_feedback=_text(question.find("generalfeedback")),
                answers=tuple(
                    MoodleAnswer(_text(a), float(a.get("fraction", "0")) / 100, a.get("format", ""))
                    for a in question.findall("answer")
                ),
                grader_info=_text(question.find("graderinfo")),
                tags=tuple(_text(tag) for tag in question.findall("tags/tag")),
                files=files,
                options=options,
            )
        )
    return questions


def split_category_path(path: str) -> list[str]:
    """Moodle's split_category_path (question/format.php): `/` separates, `//` is a slash in a name."""
    return [name.replace("//", "/").strip() for name in re.split(r"(?<!/)/(?!/)", path)]


# Moodle's cloze syntax (question/type/multianswer/questiontype.php); PCRE's `(?<!\\|&|&amp;)` is
# written as three lookbehinds, Python's needing a fixed width each.
_FRACTION = r"=|%(-?[0-9]+(?:[.,][0-9]*)?)%"
_ANSWER = r".+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$)"
_FEEDBACK = r".*?(?<!\\)(?=[~}]|$)"
_ALTERNATIVE = f"({_FRACTION})?({_ANSWER})(#({_FEEDBACK}))?"
_TYPES = (
    r"(NUMERICAL|NM)|(MULTICHOICE|MC)|(MULTICHOICE_V|MCV)|(MULTICHOICE_H|MCH)|(SHORTANSWER|SA|MW)|"
    r"(SHORTANSWER_C|SAC|MWC)|(MULTICHOICE_S|MCS)|(MULTICHOICE_VS|MCVS)|(MULTICHOICE_HS|MCHS)|"
    r"(MULTIRESPONSE|MR)|(MULTIRESPONSE_H|MRH)|(MULTIRESPONSE_S|MRS)|(MULTIRESPONSE_HS|MRHS)"
)
CLOZE_ANSWER = re.compile(r"\{([0-9]*):(" + _TYPES + r"):(" + _ALTERNATIVE + "(~" + _ALTERNATIVE + r")*)\}", re.S)
_ONE_ALTERNATIVE = re.compile("~?" + _ALTERNATIVE, re.S)


@dataclass(frozen=True)
class ClozePart:
    kind: str  # SHORTANSWER, MULTICHOICE, …
    answers: tuple[tuple[str, float], ...]


def extract_cloze(text: str) -> tuple[str, list[ClozePart]]:
    """Moodle's qtype_multianswer_extract_question: each embedded answer, in order, replaced in the
    text by `{#1}`, `{#2}`…; answers are HTML-decoded, then `\\}` and `\\#` unescaped."""
    parts: list[ClozePart] = []
    while (match := CLOZE_ANSWER.search(text)) is not None:
        answers = []
        remaining = match.group(16)
        while (alternative := _ONE_ALTERNATIVE.match(remaining)) is not None and alternative.group(0):
            if alternative.group(1) == "=":
                fraction = 1.0
            elif alternative.group(2):
                fraction = float(alternative.group(2).replace(",", ".")) / 100
            else:
                fraction = 0.0
            answer = html.unescape(alternative.group(3)).replace("\\}", "}").replace("\\#", "#")
            answers.append((answer.strip(), fraction))
            remaining = remaining.split(alternative.group(0), 1)[1]
        kind = match.group(2).upper()
        parts.append(ClozePart(kind, tuple(answers)))
        text = text.replace(match.group(0), f"{{#{len(parts)}}}", 1)
    return text, parts


def wildcard_match(response: str, pattern: str, ignore_case: bool = True) -> bool:
    """Whether Moodle accepts ``response`` for a short answer ``pattern`` (qtype_shortanswer's
    compare_string_with_wildcard: a run of unescaped `*` matches anything, `\\*` is a star)."""
    pattern, response = unicodedata.normalize("NFC", pattern), unicodedata.normalize("NFC", response)
    bits = re.split(r"(?<!\\)\*+", pattern)
    regexp = "^" + ".*".join(re.escape(bit.replace("\\*", "*")) for bit in bits) + "$"
    return re.match(regexp, response.strip(), re.S | (re.I if ignore_case else 0)) is not None


# -- QTI 1.2 (Canvas) -------------------------------------------------------------------------------

QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
MANIFEST = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"


@dataclass(frozen=True)
class QtiChoice:
    ident: str
    html: str
    correct: bool


@dataclass(frozen=True)
class QtiItem:
    ident: str
    title: str
    question_type: str
    text: str  # HTML
    choices: tuple[QtiChoice, ...] = ()
    blanks: dict[str, tuple[str, ...]] = field(default_factory=dict)  # blank name → accepted answers
    blank_scores: dict[str, float] = field(default_factory=dict)
    general_feedback: str = ""


@dataclass(frozen=True)
class QtiSection:
    ident: str
    title: str
    pick: int | None
    items: tuple[QtiItem, ...]


@dataclass(frozen=True)
class QtiPackage:
    names: tuple[str, ...]  # the zip's entries, in order
    title: str
    sections: tuple[QtiSection, ...]
    meta: dict[str, str]  # assessment_meta.xml: Canvas's quiz settings

    @property
    def items(self) -> tuple[QtiItem, ...]:
        return tuple(item for section in self.sections for item in section.items)


def _metadata(item: ET.Element) -> dict[str, str]:
    return {
        (field.findtext(f"{QTI}fieldlabel") or ""): (field.findtext(f"{QTI}fieldentry") or "")
        for field in item.iterfind(f"{QTI}itemmetadata/{QTI}qtimetadata/{QTI}qtimetadatafield")
    }


def _mattext(element: ET.Element | None) -> str:
    if element is None:
        return ""
    found = element.find(f"{QTI}material/{QTI}mattext")
    return found.text or "" if found is not None else ""


def _item(item: ET.Element) -> QtiItem:
    question_type = _metadata(item)["question_type"]
    presentation = item.find(f"{QTI}presentation")
    assert presentation is not None
    processing = item.find(f"{QTI}resprocessing")
    assert processing is not None
    scores: dict[tuple[str, str], float] = {}  # (response, answer ident) → SCORE set or added
    for condition in processing.iterfind(f"{QTI}respcondition"):
        equal = condition.find(f"{QTI}conditionvar/{QTI}varequal")
        score = condition.find(f"{QTI}setvar")
        if equal is not None and score is not None:
            scores[(equal.get("respident", ""), equal.text or "")] = float(score.text or 0)
    choices: list[QtiChoice] = []
    blanks: dict[str, tuple[str, ...]] = {}
    blank_scores: dict[str, float] = {}
    for response in presentation.iterfind(f"{QTI}response_lid"):
        labels = list(response.iterfind(f"{QTI}render_choice/{QTI}response_label"))
        response_id = response.get("ident", "")
        if question_type == "fill_in_multiple_blanks_question":
            name = _mattext(response)
            blanks[name] = tuple(_mattext(label) for label in labels)
            blank_scores[name] = sum(scores.get((response_id, label.get("ident", "")), 0.0) for label in labels)
        else:
            for label in labels:
                ident = label.get("ident", "")
                choices.append(QtiChoice(ident, _mattext(label), scores.get((response_id, ident)) == 100))
    feedback = item.find(f"{QTI}itemfeedback[@ident='general_fb']/{QTI}flow_mat")
    return QtiItem(
        ident=item.get("ident", ""),
        title=item.get("title", ""),
        question_type=question_type,
        text=_mattext(presentation),
        choices=tuple(choices),
        blanks=blanks,
        blank_scores=blank_scores,
        general_feedback=_mattext(feedback),
    )


def read_qti(data: bytes) -> QtiPackage:
    """The package as Canvas reads it: the manifest names the assessment (type imsqti_xmlv1p2) and its
    settings file; sections with a selection become question groups."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert package.testzip() is None
        names = tuple(package.namelist())
        manifest = ET.fromstring(package.read("imsmanifest.xml"))
        resources = {r.get("identifier"): r for r in manifest.iterfind(f"{MANIFEST}resources/{MANIFEST}resource")}
        [assessment_resource] = [r for r in resources.values() if r.get("type") == "imsqti_xmlv1p2"]
        assessment_file = assessment_resource.find(f"{MANIFEST}file")
        assert assessment_file is not None
        root = ET.fromstring(package.read(assessment_file.get("href", "")))
        meta: dict[str, str] = {}
        for dependency in assessment_resource.iterfind(f"{MANIFEST}dependency"):
            meta_href = resources[dependency.get("identifierref")].get("href", "")
            meta = {child.tag.split("}")[1]: child.text or "" for child in ET.fromstring(package.read(meta_href))}
    [assessment] = root.findall(f"{QTI}assessment")
    sections = []
    for section in assessment.iter(f"{QTI}section"):
        items = section.findall(f"{QTI}item")
        if not items:
            continue
        pick = section.findtext(f"{QTI}selection_ordering/{QTI}selection/{QTI}selection_number")
        sections.append(
            QtiSection(
                section.get("ident", ""),
                section.get("title", ""),
                int(pick) if pick is not None else None,
                tuple(_item(item) for item in items),
            )
        )
    return QtiPackage(names, assessment.get("title", ""), tuple(sections), meta)


BLANK = re.compile(r"\[([A-Za-z0-9_\-.]+)\]")


def blanks_in_text(text: str) -> list[str]:
    """The blanks Canvas finds in a fill-in-multiple-blanks question: `[name]` in its HTML."""
    return BLANK.findall(text)
