"""An IMS QTI 1.2 package as Canvas imports it (*Settings › Import Course Content › QTI .zip file*).

The zip holds `imsmanifest.xml`, one assessment (`<id>/<id>.xml`) and Canvas's quiz settings
for it (`<id>/assessment_meta.xml`), laid out as Canvas's own exports and text2qti's are. The
assessment has one section per subdeck, which Canvas turns into a question group that asks
all of its questions. Each item's `ident` is the card's item id and its `question_type`
tells Canvas what to make of it:

- multiple_choice_question: a basic item with distractors (choices in an order drawn from the
  item id, so the answer is not always first, and the same in every export);
- essay_question: a basic item without them, the answer in the general feedback;
- fill_in_multiple_blanks_question: a cloze item, one blank (`[blank1]`…) per deletion.

Text is HTML in `<mattext texttype="text/html">`, escaped by the XML writer; a picture is
inline (a `data:` URI) in the general feedback. Zip entries are sorted and dated 1980-01-01,
so the same cards give the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import xml.etree.ElementTree as ET
import zipfile

from studydeck.export.items import Tracker, untracked
from studydeck.export.page import image_data_uri
from studydeck.export.questions import (
    Blank,
    Category,
    LmsQuestion,
    as_essay,
    general_feedback,
    lms_question,
    question_bank,
    xml_safe,
)
from studydeck.model import Cards

QTI_NAMESPACE = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
MANIFEST_NAMESPACE = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
CANVAS_NAMESPACE = "http://canvas.instructure.com/xsd/cccv1p0"
QUESTION_TYPES = {
    "multichoice": "multiple_choice_question",
    "essay": "essay_question",
    "cloze": "fill_in_multiple_blanks_question",
}
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest a zip entry can carry, as in the .apkg
_UNIX = 3  # zipfile writes the system it runs on; fixed, so Windows and Linux give the same bytes
# In a fill-in-multiple-blanks question Canvas reads `[name]` as a blank: brackets in the text are entities.
_NO_BLANKS = str.maketrans({"[": "&#91;", "]": "&#93;"})


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = xml_safe(text)
    return element


def _material(parent: ET.Element, html: str, texttype: str = "text/html") -> None:
    _sub(_sub(parent, "material"), "mattext", html, texttype=texttype)


def _metadata(item: ET.Element, question_type: str, answer_ids: list[str]) -> None:
    fields = _sub(_sub(item, "itemmetadata"), "qtimetadata")
    for label, entry in (
        ("question_type", question_type),
        ("points_possible", "1.0"),
        ("original_answer_ids", ",".join(answer_ids)),
    ):
        field = _sub(fields, "qtimetadatafield")
        _sub(field, "fieldlabel", label)
        _sub(field, "fieldentry", entry)


def _outcomes(processing: ET.Element) -> None:
    _sub(_sub(processing, "outcomes"), "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")


def _show_general_feedback(processing: ET.Element) -> None:
    condition = _sub(processing, "respcondition", **{"continue": "Yes"})
    _sub(_sub(condition, "conditionvar"), "other")
    _sub(condition, "displayfeedback", feedbacktype="Response", linkrefid="general_fb")


def _choice_order(item_id: str, count: int) -> list[int]:
    """The choices' order, drawn from the item id: fixed for an item, different between items."""
    return sorted(range(count), key=lambda n: hashlib.sha256(f"{item_id}\x00{n}".encode()).digest())


def _multiple_choice(item: ET.Element, question: LmsQuestion) -> None:
    ids = [f"{question.item.id}-{n + 1}" for n in range(len(question.choices))]
    _metadata(item, QUESTION_TYPES["multichoice"], ids)
    presentation = _sub(item, "presentation")
    _material(presentation, question.text_html)
    render = _sub(_sub(presentation, "response_lid", ident="response1", rcardinality="Single"), "render_choice")
    for n in _choice_order(question.item.id, len(question.choices)):
        _material(_sub(render, "response_label", ident=ids[n]), question.choices[n].html)
    processing = _sub(item, "resprocessing")
    _outcomes(processing)
    _show_general_feedback(processing)
    right = next(n for n, choice in enumerate(question.choices) if choice.correct)
    condition = _sub(processing, "respcondition", **{"continue": "No"})
    _sub(_sub(condition, "conditionvar"), "varequal", ids[right], respident="response1")
    _sub(condition, "setvar", "100", action="Set", varname="SCORE")


def _essay(item: ET.Element, question: LmsQuestion) -> None:
    _metadata(item, QUESTION_TYPES["essay"], [])
    presentation = _sub(item, "presentation")
    _material(presentation, question.text_html)
    response = _sub(presentation, "response_str", ident="response1", rcardinality="Single")
    _sub(_sub(response, "render_fib"), "response_label", ident="answer1", rshuffle="No")
    processing = _sub(item, "resprocessing")
    _outcomes(processing)
    _show_general_feedback(processing)
    _sub(_sub(_sub(processing, "respcondition", **{"continue": "No"}), "conditionvar"), "other")


def _fill_in_blanks(item: ET.Element, question: LmsQuestion) -> None:
    blanks = question.blanks
    ids = [f"{question.item.id}-blank{n}" for n in range(1, len(blanks) + 1)]
    _metadata(item, QUESTION_TYPES["cloze"], ids)
    text = []
    number = 0
    for part in question.cloze:
        if isinstance(part, Blank):
            number += 1
            text.append(f"[blank{number}]")
            if part.hint_html:
                text.append(f" ({part.hint_html.translate(_NO_BLANKS)})")
        else:
            text.append(part.translate(_NO_BLANKS))
    presentation = _sub(item, "presentation")
    _material(presentation, "".join(text))
    for n, blank in enumerate(blanks, 1):
        response = _sub(presentation, "response_lid", ident=f"response_blank{n}")
        _material(response, f"blank{n}", texttype="text/plain")
        _material(_sub(_sub(response, "render_choice"), "response_label", ident=ids[n - 1]), blank.answer, "text/plain")
    processing = _sub(item, "resprocessing")
    _outcomes(processing)
    _show_general_feedback(processing)
    share = f"{100 / len(blanks):.2f}"
    for n, answer_id in enumerate(ids, 1):
        condition = _sub(processing, "respcondition")
        _sub(_sub(condition, "conditionvar"), "varequal", answer_id, respident=f"response_blank{n}")
        _sub(condition, "setvar", share, action="Add", varname="SCORE")


def _item(cards: Cards, section: ET.Element, question: LmsQuestion) -> None:
    if question.kind == "shortanswer":  # Canvas grades no typed answer but a blank's: the teacher does
        question = as_essay(question)
    item = _sub(section, "item", ident=question.item.id, title=question.item.id)
    {"multichoice": _multiple_choice, "essay": _essay, "cloze": _fill_in_blanks}[question.kind](item, question)
    image = question.item.image
    feedback = general_feedback(cards, question, f'<img src="{image_data_uri(cards, image)}" alt="">' if image else "")
    material = _sub(_sub(item, "itemfeedback", ident="general_fb"), "flow_mat")
    _material(material, feedback)


def _section_ident(assessment: str, category: Category) -> str:
    """Named by the subdeck, so that adding another subdeck renames none."""
    return f"{assessment}-" + hashlib.sha256("\x1f".join(category.names).encode()).hexdigest()[:12]


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    out = io.BytesIO()
    ET.ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)
    return out.getvalue() + b"\n"


def assessment_xml(cards: Cards, ident: str, questions: dict[str, LmsQuestion]) -> bytes:
    root = ET.Element("questestinterop", xmlns=QTI_NAMESPACE)
    assessment = _sub(root, "assessment", ident=ident, title=cards.deck.name)
    root_section = _sub(assessment, "section", ident="root_section")
    for category in question_bank(cards, questions):
        section = _sub(root_section, "section", ident=_section_ident(ident, category), title=category.title)
        selection = _sub(_sub(section, "selection_ordering"), "selection")
        _sub(selection, "selection_number", str(len(category.questions)))  # every question of the group
        _sub(_sub(selection, "selection_extension"), "points_per_item", "1.0")
        for question in category.questions:
            _item(cards, section, question)
    return _xml(root)


def assessment_meta_xml(cards: Cards, ident: str, count: int) -> bytes:
    """Canvas's settings for the quiz it makes: title, description, answers shuffled, not published."""
    root = ET.Element("quiz", identifier=ident, xmlns=CANVAS_NAMESPACE)
    _sub(root, "title", cards.deck.name)
    _sub(root, "description", cards.deck.description)
    _sub(root, "shuffle_answers", "true")
    _sub(root, "quiz_type", "practice_quiz")
    _sub(root, "points_possible", f"{count:.1f}")
    _sub(root, "show_correct_answers", "true")
    _sub(root, "available", "false")
    return _xml(root)


def manifest_xml(ident: str) -> bytes:
    root = ET.Element("manifest", identifier=f"{ident}-manifest", xmlns=MANIFEST_NAMESPACE)
    metadata = _sub(root, "metadata")
    _sub(metadata, "schema", "IMS Content")
    _sub(metadata, "schemaversion", "1.1.3")
    _sub(root, "organizations")
    resources = _sub(root, "resources")
    assessment = _sub(resources, "resource", identifier=ident, type="imsqti_xmlv1p2")
    _sub(assessment, "file", href=f"{ident}/{ident}.xml")
    _sub(assessment, "dependency", identifierref=f"{ident}-meta")
    meta = _sub(
        resources,
        "resource",
        identifier=f"{ident}-meta",
        type="associatedcontent/imscc_xmlv1p1/learning-application-resource",
        href=f"{ident}/assessment_meta.xml",
    )
    _sub(meta, "file", href=f"{ident}/assessment_meta.xml")
    return _xml(root)


def export_qti(cards: Cards, track: Tracker = untracked) -> bytes:
    """The QTI 1.2 package (zip bytes): manifest, assessment, Canvas's quiz settings."""
    questions = {item.id: lms_question(item) for item in track(cards.items)}
    ident = f"studydeck-{cards.deck.id}"  # an XML ID must not start with a digit; a deck id may
    files = {
        "imsmanifest.xml": manifest_xml(ident),
        f"{ident}/{ident}.xml": assessment_xml(cards, ident, questions),
        f"{ident}/assessment_meta.xml": assessment_meta_xml(cards, ident, len(questions)),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name in sorted(files):
            entry = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            entry.create_system = _UNIX
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            package.writestr(entry, files[name], compresslevel=9)
    return out.getvalue()
