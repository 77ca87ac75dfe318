"""Moodle XML export, read back as Moodle's importer reads it (tests/lms_readers.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lms_decks import BLANKS, CATEGORIES, CHOICES, KINDS, PICTURE, TYPED, lms_folder
from lms_readers import (
    MoodleQuestion,
    assert_inert,
    extract_cloze,
    read_moodle,
    split_category_path,
    visible_text,
    wildcard_match,
)
from studydeck import api
from studydeck.anki.notes import media_name
from studydeck.export.moodle import export_moodle
from studydeck.model import Cards
from studydeck.source.markup import to_plain
from studydeck.source.text import option_text
from test_xss import ONE_LINE, hostile_folder

SHIPPED = Path(__file__).resolve().parent.parent / "cards"


@pytest.fixture(scope="module")
def deck(tmp_path_factory: pytest.TempPathFactory) -> Cards:
    return api.load_deck(lms_folder(tmp_path_factory.mktemp("lms")).cards)


@pytest.fixture(scope="module")
def questions(deck: Cards) -> dict[str, MoodleQuestion]:
    return {q.idnumber: q for q in read_moodle(export_moodle(deck).encode())}


def test_one_question_per_item_of_the_kind_its_item_makes(deck: Cards, questions: dict[str, MoodleQuestion]) -> None:
    assert {item_id: q.qtype for item_id, q in questions.items()} == KINDS
    for item_id, question in questions.items():
        assert question.name == item_id  # the name and the ID number are the item id
    assert len(read_moodle(export_moodle(deck).encode())) == len(deck.items)


def test_categories_follow_the_subdecks(deck: Cards) -> None:
    data = export_moodle(deck).encode()
    for question in read_moodle(data):
        assert question.category.startswith("$course$/")
        assert tuple(split_category_path(question.category)[1:]) == CATEGORIES[question.idnumber]
    written = re.findall(r"<text>(\$course\$[^<]*)</text>", data.decode())
    assert written == sorted(set(written), key=str.casefold)  # one category question per subdeck, sorted


def test_multiple_choice_has_the_answer_at_100_and_each_distractor_at_0(questions: dict[str, MoodleQuestion]) -> None:
    for item_id, (right, wrong) in CHOICES.items():
        question = questions[item_id]
        assert question.options["single"] == "true" and question.options["shuffleanswers"] == "true"
        shown = {visible_text(a.text): a.fraction for a in question.answers}
        assert shown == {right: 1.0, **dict.fromkeys(wrong, 0.0)}
        assert all(a.format == "html" for a in question.answers)


def test_short_answers_accept_exactly_what_the_card_says(questions: dict[str, MoodleQuestion]) -> None:
    for item_id, typed in TYPED.items():
        [answer] = questions[item_id].answers
        assert answer.fraction == 1.0
        assert wildcard_match(typed, answer.text), (typed, answer.text)
        assert wildcard_match(typed.upper(), answer.text)  # Moodle's default: case does not matter
        assert not wildcard_match(typed + " and more", answer.text)
    # A star in the answer is a star, not Moodle's wildcard.
    assert not wildcard_match("5X {x}#~=:\\", questions["symbols"].answers[0].text)


def test_an_essay_gives_the_answer_to_the_grader_and_after_the_attempt(questions: dict[str, MoodleQuestion]) -> None:
    essay = questions["b12-route"]
    answer = "1000 µg IM on alternate days, then monthly for life."
    assert visible_text(essay.grader_info) == answer
    assert visible_text(essay.general_feedback).startswith(f"Answer: {answer}")
    assert essay.options["responseformat"] == "editor"


def test_cloze_has_one_embedded_short_answer_per_deletion_with_its_hint(questions: dict[str, MoodleQuestion]) -> None:
    for item_id, typed in BLANKS.items():
        text, parts = extract_cloze(questions[item_id].text)
        assert [part.kind for part in parts] == ["SHORTANSWER"] * len(typed)
        for part, expected in zip(parts, typed, strict=True):
            [(answer, fraction)] = part.answers
            assert fraction == 1.0 and wildcard_match(expected, answer), (expected, answer)
        assert [int(n) for n in re.findall(r"\{#(\d+)\}", text)] == list(range(1, len(typed) + 1))
    text, _ = extract_cloze(questions["b6-limit"].text)
    assert visible_text(text) == "Pyridoxine above {#1} (a daily dose) causes a sensory neuronopathy."
    # Braces and `[blank1]` in the text around the blanks stay text: the only answers are the deletions.
    text, _ = extract_cloze(questions["tricky-cloze"].text)
    assert visible_text(text) == "Tricky {#1} beside [blank1], <b>x</b> and {1:SA:=no}."


def test_general_feedback_has_the_extra_caution_and_source(questions: dict[str, MoodleQuestion]) -> None:
    feedback = visible_text(questions["b12-route"].general_feedback)
    assert "Oral 1000 µg daily also works in most patients." in feedback
    assert "Caution: Check folate too." in feedback
    assert "Source: The source article · reviewed 2025-07-04 · link" in feedback
    source = "Source: The source article · reviewed 2025-07-04 · link"
    assert visible_text(questions["b6-limit"].general_feedback) == source


def test_the_picture_is_embedded_as_a_base64_file(deck: Cards, questions: dict[str, MoodleQuestion]) -> None:
    name = media_name(deck.root / "media/trace.png")
    essay = questions["b12-route"]
    assert essay.files == {name: PICTURE}
    assert f'<img src="@@PLUGINFILE@@/{name}" alt="">' in essay.general_feedback
    assert all(not q.files for item_id, q in questions.items() if item_id != "b12-route")


def test_text_arrives_as_text(questions: dict[str, MoodleQuestion]) -> None:
    question = questions["html-text"]
    assert visible_text(question.text) == "Is 5 < 10 & <script>alert(1)</script> true?"
    assert_inert(question.text, "html-text")


def test_the_xss_corpus_is_inert_and_shown_literally(tmp_path: Path) -> None:
    cards = api.load_deck(hostile_folder(tmp_path).cards)
    questions = {q.idnumber: q for q in read_moodle(export_moodle(cards).encode())}
    assert {item_id: q.qtype for item_id, q in questions.items()} == {
        "basic": "multichoice",
        "one-line": "essay",
        "cloze": "cloze",
    }
    for item_id, question in questions.items():
        fields = [question.text, question.general_feedback, question.grader_info, *(a.text for a in question.answers)]
        for field in fields:
            assert_inert(field, item_id)
    assert "<script>alert(1)</script>" in visible_text(questions["basic"].text)
    assert "<img src=x onerror=alert(1)>" in visible_text(questions["one-line"].text)
    text, [part] = extract_cloze(questions["cloze"].text)
    assert part.answers == ((" ".join(to_plain(ONE_LINE).split()), 1.0),)
    assert visible_text(text).startswith("Before {#1} (<b onclick=alert(1)>hint</b>) after")
    category = next(q.category for q in questions.values())
    assert split_category_path(category)[1:] == ["XSS <script>alert(1)</script>", "Sub <img src=x onerror=alert(1)>"]


def test_the_shipped_deck() -> None:
    cards = api.load_deck(SHIPPED)
    questions = read_moodle(export_moodle(cards).encode())
    by_id = {item.id: item for item in cards.items}
    assert sorted(q.idnumber for q in questions) == sorted(by_id)
    for question in questions:
        item = by_id[question.idnumber]
        assert split_category_path(question.category)[1:] == [cards.deck.name, *item.subdeck.split("::")]
        if item.kind == "cloze":
            _, parts = extract_cloze(question.text)
            assert question.qtype == "cloze" and len(parts) == item.cloze.count("{{c")
        else:
            assert question.qtype == "multichoice"  # every basic item of the shipped deck has distractors
            right = [visible_text(a.text) for a in question.answers if a.fraction == 1.0]
            assert right == [option_text(to_plain(item.a))]
            assert len(question.answers) == 1 + len(item.wrong)
