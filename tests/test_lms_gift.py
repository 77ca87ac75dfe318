"""GIFT export, read back by the strict reader that follows Moodle's GIFT importer (tests/gift_reader.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gift_reader import GiftQuestion, read_gift
from lms_decks import BLANKS, CATEGORIES, CHOICES, KINDS, PICTURE, TYPED, lms_folder
from lms_readers import (
    assert_b12_feedback,
    assert_inert,
    split_category_path,
    visible_text,
    wildcard_match,
)
from studydeck import api
from studydeck.export.gift import export_gift
from studydeck.model import Cards
from studydeck.source.markup import to_plain
from studydeck.source.text import option_text
from test_xss import ONE_LINE, hostile_folder

SHIPPED = Path(__file__).resolve().parent.parent / "cards"


@pytest.fixture(scope="module")
def deck(tmp_path_factory: pytest.TempPathFactory) -> Cards:
    return api.load_deck(lms_folder(tmp_path_factory.mktemp("lms")).cards)


@pytest.fixture(scope="module")
def questions(deck: Cards) -> dict[str, GiftQuestion]:
    return {q.name: q for q in read_gift(export_gift(deck))}


def test_every_item_becomes_its_questions(questions: dict[str, GiftQuestion]) -> None:
    expected = {
        **{item_id: kind for item_id, kind in KINDS.items() if kind != "cloze"},
        # GIFT has one answer box per question: a cloze item is a missing-word question per deletion.
        "cidp-remission (1/2)": "shortanswer",
        "cidp-remission (2/2)": "shortanswer",
        "b6-limit": "shortanswer",
        "tricky-cloze": "shortanswer",
        # Moodle would take `=A -> B` for a matching question: that answer is graded by hand.
        "arrow": "essay",
    }
    assert {name: q.qtype for name, q in questions.items()} == expected
    assert all(q.text_format == "html" for q in questions.values())


def test_categories_follow_the_subdecks(questions: dict[str, GiftQuestion]) -> None:
    for name, question in questions.items():
        assert tuple(split_category_path(question.category)[1:]) == CATEGORIES[name.split(" ")[0]]
        assert question.category.startswith("$course$/")


def test_multiple_choice_has_the_answer_and_each_distractor(questions: dict[str, GiftQuestion]) -> None:
    for item_id, (right, wrong) in CHOICES.items():
        shown = {visible_text(a.text): a.fraction for a in questions[item_id].answers}
        assert shown == {right: 1.0, **dict.fromkeys(wrong, 0.0)}


def test_short_answers_accept_exactly_what_the_card_says(questions: dict[str, GiftQuestion]) -> None:
    for item_id, typed in TYPED.items():
        if item_id == "arrow":
            continue
        [answer] = questions[item_id].answers
        assert answer.fraction == 1.0 and wildcard_match(typed, answer.text), (typed, answer.text)
    assert not wildcard_match("5X {x}#~=:\\", questions["symbols"].answers[0].text)
    assert visible_text(questions["arrow"].general_feedback).startswith("Answer: A -> B")


def test_cloze_deletions_are_missing_words_with_the_others_shown(questions: dict[str, GiftQuestion]) -> None:
    first, second = questions["cidp-remission (1/2)"], questions["cidp-remission (2/2)"]
    assert first.missing_word and second.missing_word
    assert visible_text(first.text) == "About _____ of CIDP patients reach complete or partial remission."
    assert visible_text(second.text) == "About 90% of CIDP patients reach _____ remission."
    for name, typed in [("cidp-remission (1/2)", "90%"), ("cidp-remission (2/2)", "complete or partial")]:
        assert wildcard_match(typed, questions[name].answers[0].text)
    hinted = questions["b6-limit"]
    assert visible_text(hinted.text) == "Pyridoxine above _____ (a daily dose) causes a sensory neuronopathy."
    tricky = questions["tricky-cloze"]
    assert visible_text(tricky.text) == "Tricky _____ beside [blank1], <b>x</b> and {1:SA:=no}."
    assert wildcard_match(BLANKS["tricky-cloze"][0], tricky.answers[0].text)


def test_general_feedback_and_the_picture(questions: dict[str, GiftQuestion]) -> None:
    feedback = questions["b12-route"].general_feedback
    assert_b12_feedback(feedback, PICTURE)


def test_text_arrives_as_text(questions: dict[str, GiftQuestion]) -> None:
    assert visible_text(questions["html-text"].text) == "Is 5 < 10 & <script>alert(1)</script> true?"


def test_the_xss_corpus_is_inert_and_shown_literally(tmp_path: Path) -> None:
    cards = api.load_deck(hostile_folder(tmp_path).cards)
    questions = {q.name: q for q in read_gift(export_gift(cards))}
    assert {name: q.qtype for name, q in questions.items()} == {
        "basic": "multichoice",
        "one-line": "essay",
        "cloze": "essay",  # its deletion has `-->` in it, which GIFT cannot hold in a short answer
    }
    for name, question in questions.items():
        for field in [question.text, question.general_feedback, *(a.text for a in question.answers)]:
            assert_inert(field, name)
    assert "<script>alert(1)</script>" in visible_text(questions["basic"].text)
    assert "<img src=x onerror=alert(1)>" in visible_text(questions["one-line"].text)
    cloze = questions["cloze"]
    assert visible_text(cloze.text).startswith("Before _____ (<b onclick=alert(1)>hint</b>) after")
    revealed = " ".join(to_plain(ONE_LINE).split())
    assert visible_text(cloze.general_feedback).startswith(f"Answer: Before {revealed} after")


def test_the_shipped_deck() -> None:
    cards = api.load_deck(SHIPPED)
    questions = read_gift(export_gift(cards))
    expected = sum(item.cloze.count("{{c") if item.kind == "cloze" else 1 for item in cards.items)
    assert len(questions) == expected
    by_id = {item.id: item for item in cards.items}
    assert {q.name.split(" ")[0] for q in questions} == set(by_id)
    for question in questions:
        item = by_id[question.name.split(" ")[0]]
        assert split_category_path(question.category)[1:] == [cards.deck.name, *item.subdeck.split("::")]
        if item.kind == "cloze":
            assert question.qtype == "shortanswer" and question.missing_word
        else:
            assert question.qtype == "multichoice"
            right = [visible_text(a.text) for a in question.answers if a.fraction == 1.0]
            assert right == [option_text(to_plain(item.a))]
            assert len(question.answers) == 1 + len(item.wrong)
