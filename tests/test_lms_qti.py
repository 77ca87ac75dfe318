"""QTI 1.2 package for Canvas, read back from the zip: manifest, assessment, quiz settings."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from lms_decks import BLANKS, CATEGORIES, CHOICES, KINDS, PICTURE, TYPED, lms_folder
from lms_readers import (
    QtiItem,
    QtiPackage,
    assert_b12_feedback,
    assert_inert,
    blanks_in_text,
    read_qti,
    visible_text,
)
from studydeck import api
from studydeck.export.qti import export_qti
from studydeck.model import Cards
from studydeck.source.markup import to_plain
from studydeck.source.text import option_text
from test_xss import ONE_LINE, hostile_folder

SHIPPED = Path(__file__).resolve().parent.parent / "cards"
CANVAS_TYPES = {
    "multichoice": "multiple_choice_question",
    "shortanswer": "essay_question",  # Canvas grades no typed answer but a blank's: graded by the teacher
    "essay": "essay_question",
    "cloze": "fill_in_multiple_blanks_question",
}


@pytest.fixture(scope="module")
def deck(tmp_path_factory: pytest.TempPathFactory) -> Cards:
    return api.load_deck(lms_folder(tmp_path_factory.mktemp("lms")).cards)


@pytest.fixture(scope="module")
def package(deck: Cards) -> QtiPackage:
    return read_qti(export_qti(deck))


@pytest.fixture(scope="module")
def items(package: QtiPackage) -> dict[str, QtiItem]:
    return {item.ident: item for item in package.items}


def test_the_zip_has_a_manifest_one_assessment_and_its_settings(deck: Cards, package: QtiPackage) -> None:
    assert package.names == (
        "imsmanifest.xml",
        "studydeck-test-deck/assessment_meta.xml",
        "studydeck-test-deck/studydeck-test-deck.xml",
    )
    assert package.title == "Test deck"
    assert package.meta["title"] == "Test deck" and package.meta["shuffle_answers"] == "true"
    with zipfile.ZipFile(io.BytesIO(export_qti(deck))) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_one_item_per_card_item_with_its_id_and_type(items: dict[str, QtiItem]) -> None:
    assert {ident: item.question_type for ident, item in items.items()} == {
        item_id: CANVAS_TYPES[kind] for item_id, kind in KINDS.items()
    }
    assert all(item.title == ident for ident, item in items.items())


def test_one_section_per_subdeck_asking_all_of_its_questions(package: QtiPackage) -> None:
    titles = {section.title: {item.ident for item in section.items} for section in package.sections}
    assert titles == {
        "Test deck": {"tricky-cloze"},
        "Drugs › Immunoglobulin": {i for i, c in CATEGORIES.items() if c[1:] == ("Drugs", "Immunoglobulin")},
        "Sensory › Vitamins": {i for i, c in CATEGORIES.items() if c[1:] == ("Sensory", "Vitamins")},
    }
    assert all(section.pick == len(section.items) for section in package.sections)
    assert len({section.ident for section in package.sections}) == len(package.sections)


def test_multiple_choice_scores_the_answer_only(items: dict[str, QtiItem]) -> None:
    for item_id, (right, wrong) in CHOICES.items():
        shown = {visible_text(choice.html): choice.correct for choice in items[item_id].choices}
        assert shown == {right: True, **dict.fromkeys(wrong, False)}
    # The order is drawn from the item id: the answer is not always first.
    firsts = [next(c.correct for c in items[i].choices) for i in CHOICES]
    assert not all(firsts)


def test_fill_in_blanks_has_one_blank_per_deletion(items: dict[str, QtiItem]) -> None:
    for item_id, typed in BLANKS.items():
        item = items[item_id]
        names = blanks_in_text(item.text)
        assert names == [f"blank{n}" for n in range(1, len(typed) + 1)]
        assert [item.blanks[name] for name in names] == [(answer,) for answer in typed]
        assert sum(item.blank_scores.values()) == pytest.approx(100, abs=0.02)
    hinted = "Pyridoxine above [blank1] (a daily dose) causes a sensory neuronopathy."
    assert visible_text(items["b6-limit"].text) == hinted
    # `[blank1]` written in the card is text (an entity for each bracket), not a second blank.
    tricky = items["tricky-cloze"]
    assert blanks_in_text(tricky.text) == ["blank1"]
    assert visible_text(tricky.text) == "Tricky [blank1] beside [blank1], <b>x</b> and {1:SA:=no}."


def test_essays_have_the_answer_in_the_general_feedback(items: dict[str, QtiItem]) -> None:
    for item_id, typed in TYPED.items():
        assert visible_text(items[item_id].general_feedback).startswith(f"Answer: {typed}")
    feedback = items["b12-route"].general_feedback
    assert_b12_feedback(feedback, PICTURE)


def test_text_arrives_as_text(items: dict[str, QtiItem]) -> None:
    assert visible_text(items["html-text"].text) == "Is 5 < 10 & <script>alert(1)</script> true?"


def test_the_xss_corpus_is_inert_and_shown_literally(tmp_path: Path) -> None:
    cards = api.load_deck(hostile_folder(tmp_path).cards)
    items = {item.ident: item for item in read_qti(export_qti(cards)).items}
    for ident, item in items.items():
        for field in [item.text, item.general_feedback, *(choice.html for choice in item.choices)]:
            assert_inert(field, ident)
    assert "<script>alert(1)</script>" in visible_text(items["basic"].text)
    assert "<img src=x onerror=alert(1)>" in visible_text(items["one-line"].text)
    assert items["cloze"].blanks == {"blank1": (" ".join(to_plain(ONE_LINE).split()),)}
    assert visible_text(items["cloze"].text).startswith("Before [blank1] (<b onclick=alert(1)>hint</b>) after")


def test_the_shipped_deck() -> None:
    cards = api.load_deck(SHIPPED)
    package = read_qti(export_qti(cards))
    by_id = {item.id: item for item in cards.items}
    assert sorted(item.ident for item in package.items) == sorted(by_id)
    for section in package.sections:
        for qti_item in section.items:
            item = by_id[qti_item.ident]
            assert section.title == item.subdeck.replace("::", " › ")
            if item.kind == "cloze":
                assert len(blanks_in_text(qti_item.text)) == len(qti_item.blanks) == item.cloze.count("{{c")
            else:
                right = [visible_text(c.html) for c in qti_item.choices if c.correct]
                assert right == [option_text(to_plain(item.a))]
                assert len(qti_item.choices) == 1 + len(item.wrong)
