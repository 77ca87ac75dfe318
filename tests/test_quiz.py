"""Printable quiz sheets and answer keys, read back from the PDF as a reader would see them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pdfs import A4, LETTER, all_text, page_sizes, page_texts
from studydeck import api
from studydeck.printing.quiz import make_sheets
from studydeck.source.selection import Filters, SelectionError

from helpers import BOOKKEEPING, CardsFolder

VITAMINS_YAML = """\
deck: Sensory::Vitamins
source: src
tags: [vitamin]
items:
  - id: b1-dose
    category: dosing
    q: Which thiamine dose treats Wernicke's encephalopathy?
    a: At least 100 mg IV three times daily, dose ≥ 300 mg/day.
    tags: [drug::thiamine]
    wrong: [10 mg orally once, 1 g IM weekly]
  - id: b12-dose
    category: dosing
    q: Which cyanocobalamin dose starts B12 replacement?
    a: 1000 µg IM on alternate days.
    tags: [drug::cyanocobalamin]
    caution: Oral 1000 µg daily works too in most patients.
  - id: b1-name
    category: mechanism
    q: Как называется витамин B1?
    a: Тиамин (витамин B1).
    tags: [drug::thiamine]
    wrong: [Пиридоксин, Цианокобаламин]
  - id: b1-enzyme
    category: mechanism
    cloze: "Thiamine is a cofactor of {{c1::pyruvate dehydrogenase}} and β-{{c2::ketoglutarate}} dehydrogenase."
    tags: [drug::thiamine]
  - id: b6-neuropathy
    category: adverse-effect
    q: What does pyridoxine overdose cause?
    a: A sensory ganglionopathy.
    tags: [drug::pyridoxine]
"""
# Items in the example deck (helpers.py) and above, with their prompt as printed and their answer.
PROMPTS = {
    "ivig-dose": "What IVIG regimen is used in CIDP?",
    "ivig-brand": "Which class does IVIG belong to?",
    "cidp-remission": "of CIDP patients reach",
    "b1-dose": "Which thiamine dose treats Wernicke's encephalopathy?",
    "b12-dose": "Which cyanocobalamin dose starts B12 replacement?",
    "b1-name": "Как называется витамин B1?",
    "b1-enzyme": "Thiamine is a cofactor of",
    "b6-neuropathy": "What does pyridoxine overdose cause?",
}
ANSWERS = {
    "ivig-dose": "0.4 g/kg per day IV for 5 days",
    "ivig-brand": "Immunoglobulins",
    "cidp-remission": "complete or partial",
    "b1-dose": "dose ≥ 300 mg/day",
    "b12-dose": "1000 µg IM on alternate days",
    "b1-name": "Тиамин (витамин B1)",
    "b1-enzyme": "pyruvate dehydrogenase",
    "b6-neuropathy": "A sensory ganglionopathy",
}


@pytest.fixture
def quiz_folder(folder: CardsFolder) -> CardsFolder:
    folder.write("vitamins.yaml", VITAMINS_YAML)
    return folder


def question_order(pdf: Path) -> list[str]:
    """The item ids in the order their questions appear in the PDF."""
    text = all_text(pdf)
    found = {item_id: text.find(prompt) for item_id, prompt in PROMPTS.items() if prompt in text}
    return sorted(found, key=found.__getitem__)


def test_sheet_asks_every_question_and_the_key_answers_them(quiz_folder: CardsFolder) -> None:
    quiz_folder.build(now=1_750_000_000.0)  # the lockfile records this as the deck's last change
    result = quiz_folder.run("quiz", "--out", "out/quiz.pdf", "--title", "Vitamins test")
    assert result.exit_code == 0, result.output
    sheet, key = quiz_folder.root / "out/quiz.pdf", quiz_folder.root / "out/quiz-key.pdf"
    assert "out/quiz.pdf" in result.output and "out/quiz-key.pdf" in result.output

    sheet_pages = page_texts(sheet)
    sheet_text = " ".join(sheet_pages)
    assert page_sizes(sheet) == [A4] * len(sheet_pages)
    assert sheet_text.startswith("Vitamins test Test deck · 2025-06-15")  # the lockfile's date, not today
    assert "Name:" in sheet_text and "Score: / 8" in sheet_text
    for prompt in PROMPTS.values():
        assert prompt in sheet_text
    for answer in ANSWERS.values():
        assert answer not in sheet_text
    assert re.search(r"1\. .* 8\. ", sheet_text), "questions are numbered 1 to 8"
    assert sheet_pages[-1].endswith(f"Page {len(sheet_pages)} of {len(sheet_pages)}")
    # Sections by category, in the deck's category order.
    headings = ["Mechanism", "Dosing", "Prognosis", "Adverse effect", "Classification"]
    positions = [sheet_text.index(f" {heading} ") for heading in headings]
    assert positions == sorted(positions)

    key_text = all_text(key)
    assert key_text.startswith("Vitamins test — answer key")
    for answer in ANSWERS.values():
        assert answer in key_text
    assert "Source: The source article · Prognosis" in key_text
    assert "Caution: Oral 1000 µg daily works too in most patients." in key_text


def test_key_numbers_match_the_sheet(quiz_folder: CardsFolder) -> None:
    [sheet] = make_sheets(api.load_deck(quiz_folder.cards))
    out = quiz_folder.root / "quiz.pdf"
    api.quiz(quiz_folder.cards, out)
    sheet_text, key_text = all_text(out), all_text(quiz_folder.root / "quiz-key.pdf")
    for question in sheet.questions:
        assert f"{question.number}. {question.prompt.split('_____')[0].strip()}" in sheet_text
        assert f"{question.number}. {question.answer}" in key_text


def test_unicode_text_extracts_intact(quiz_folder: CardsFolder) -> None:
    out = quiz_folder.root / "quiz.pdf"
    api.quiz(quiz_folder.cards, out, paper="letter")
    sheet, key = all_text(out), all_text(quiz_folder.root / "quiz-key.pdf")
    assert page_sizes(out)[0] == LETTER
    assert "Как называется витамин B1?" in sheet
    assert "β-" in sheet  # in the cloze sentence, next to a blank
    assert "Тиамин (витамин B1)" in key
    assert "1000 µg IM" in key and "≥ 300 mg/day" in key and "β-ketoglutarate" in key


def test_same_seed_gives_identical_bytes_and_another_seed_another_order(quiz_folder: CardsFolder) -> None:
    for i in range(12):
        quiz_folder.write(
            f"more{i}.yaml", f"items:\n  - id: extra-{i}\n    category: dosing\n    q: Q{i}?\n    a: {i} mg\n"
        )
    first, again, other = (quiz_folder.root / name for name in ("first.pdf", "again.pdf", "other.pdf"))
    api.quiz(quiz_folder.cards, first, seed=5, date="2025-01-01")
    api.quiz(quiz_folder.cards, again, seed=5, date="2025-01-01")
    api.quiz(quiz_folder.cards, other, seed=6, date="2025-01-01")
    assert first.read_bytes() == again.read_bytes()
    assert (quiz_folder.root / "first-key.pdf").read_bytes() == (quiz_folder.root / "again-key.pdf").read_bytes()
    assert first.read_bytes() != other.read_bytes()

    def dosing_order(pdf: Path) -> list[str]:
        return re.findall(r"\d+\. (Q\d+\?|Which \w+ dose)", all_text(pdf))

    assert sorted(dosing_order(first)) == sorted(dosing_order(other))
    assert dosing_order(first) != dosing_order(other)


def test_the_pdf_carries_no_clock_time(quiz_folder: CardsFolder) -> None:
    out = quiz_folder.root / "quiz.pdf"
    api.quiz(quiz_folder.cards, out)
    data = out.read_bytes()
    assert b"/CreationDate" not in data and b"/ModDate" not in data and b"xmp:CreateDate" not in data


def ids(sheet_filters: Filters, folder: CardsFolder, **options: object) -> set[str]:
    [sheet] = make_sheets(api.load_deck(folder.cards), sheet_filters, **options)  # type: ignore[arg-type]
    return {q.item_id for q in sheet.questions}


def test_filters_select_exactly_the_matching_items(quiz_folder: CardsFolder) -> None:
    assert ids(Filters(categories=("dosing",)), quiz_folder) == {"ivig-dose", "b1-dose", "b12-dose"}
    assert ids(Filters(categories=("dosing", "prognosis")), quiz_folder) == {
        "ivig-dose",
        "b1-dose",
        "b12-dose",
        "cidp-remission",
    }
    # A tag prefix matches the whole subtree (drug::*), not tags that merely start alike.
    assert ids(Filters(tags=("drug",)), quiz_folder) == {"b1-dose", "b12-dose", "b1-name", "b1-enzyme", "b6-neuropathy"}
    assert ids(Filters(tags=("drug::thiamine",)), quiz_folder) == {"b1-dose", "b1-name", "b1-enzyme"}
    assert ids(Filters(tags=("category::dosing",)), quiz_folder) == {"ivig-dose", "b1-dose", "b12-dose"}
    # A subdeck selects its children too; the deck's own name may be included or left out.
    assert ids(Filters(decks=("Drugs",)), quiz_folder) == {"ivig-dose", "ivig-brand", "cidp-remission"}
    assert ids(Filters(decks=("Test deck::Sensory::Vitamins",)), quiz_folder) == set(ANSWERS) - ids(
        Filters(decks=("Drugs",)), quiz_folder
    )
    # Different kinds of filter must all match.
    assert ids(Filters(categories=("dosing",), tags=("drug::thiamine",)), quiz_folder) == {"b1-dose"}
    assert ids(Filters(tags=("drug::thiamine",)), quiz_folder, count=2) < {"b1-dose", "b1-name", "b1-enzyme"}


def test_quiz_pdf_holds_only_the_filtered_items(quiz_folder: CardsFolder) -> None:
    result = quiz_folder.run("quiz", "--out", "t.pdf", "--tag", "drug::thiamine", "--category", "mechanism")
    assert result.exit_code == 0, result.output
    assert question_order(quiz_folder.root / "t.pdf") in (["b1-name", "b1-enzyme"], ["b1-enzyme", "b1-name"])
    assert "Selection: category mechanism; tag drug::thiamine" in all_text(quiz_folder.root / "t.pdf")


def test_unknown_filter_values_are_usage_errors_naming_the_choices(quiz_folder: CardsFolder) -> None:
    result = quiz_folder.run("quiz", "--category", "dosage")
    assert result.exit_code == 2
    assert "unknown category 'dosage' (did you mean 'dosing'?)" in result.output
    assert "adverse-effect, classification, contraindication, dosing" in result.output

    result = quiz_folder.run("quiz", "--tag", "drug::thiamin")
    assert result.exit_code == 2
    assert "unknown tag 'drug::thiamin' (did you mean 'drug::thiamine'?)" in result.output

    result = quiz_folder.run("cards", "--deck", "Sensory::Vitamin")
    assert result.exit_code == 2
    assert "unknown deck 'Sensory::Vitamin'" in result.output
    assert "Drugs::Immunoglobulin, Sensory, Sensory::Vitamins, Test deck" in result.output

    result = quiz_folder.run("quiz", "--category", "overdose")
    assert result.exit_code == 2
    assert "no item matches all of: category overdose" in result.output
    assert not (quiz_folder.root / "quiz.pdf").exists()


def test_count_picks_that_many_items_reproducibly(quiz_folder: CardsFolder) -> None:
    picked = ids(Filters(), quiz_folder, count=3, seed=9)
    assert len(picked) == 3
    assert ids(Filters(), quiz_folder, count=3, seed=9) == picked
    result = quiz_folder.run("quiz", "--count", "30")
    assert result.exit_code == 0
    assert "Only 8 items match" in result.output


def test_choice_mode_shows_the_answer_among_the_distractors(quiz_folder: CardsFolder) -> None:
    out = quiz_folder.root / "choice.pdf"
    api.quiz(quiz_folder.cards, out, mode="choice", seed=3)
    sheet, key = all_text(out), all_text(quiz_folder.root / "choice-key.pdf")
    [layout] = make_sheets(api.load_deck(quiz_folder.cards), mode="choice", seed=3)
    by_id = {q.item_id: q for q in layout.questions}
    dose = by_id["ivig-dose"]
    assert dose.style == "choice"
    assert sorted(dose.choices) == sorted(
        ["0.4 g/kg per day IV for 5 days", "0.4 mg/kg per day for 5 days", "1 g/kg once"]
    )
    for letter, choice in zip("ABC", dose.choices, strict=True):
        assert f"{letter}. {choice}" in sheet
    assert f"{dose.number}. {dose.answer_letter}. 0.4 g/kg per day IV for 5 days" in key
    # The full stop that only the answer had is gone, so it does not give the answer away.
    assert "Тиамин (витамин B1)" in sheet and "Тиамин (витамин B1)." not in sheet
    assert "Пиридоксин" in sheet and "Цианокобаламин" in sheet
    # Without distractors an item stays an open question; cloze items keep their blanks.
    assert by_id["ivig-brand"].style == "open" and by_id["b1-enzyme"].style == "cloze"
    assert "Which class does IVIG belong to?" in sheet and "Immunoglobulins" not in sheet


def test_cloze_mode_prints_only_cloze_items_with_blanks(quiz_folder: CardsFolder) -> None:
    out = quiz_folder.root / "cloze.pdf"
    api.quiz(quiz_folder.cards, out, mode="cloze")
    assert question_order(out) in (["cidp-remission", "b1-enzyme"], ["b1-enzyme", "cidp-remission"])
    sheet, key = all_text(out), all_text(quiz_folder.root / "cloze-key.pdf")
    for deletion in ("90%", "complete or partial", "pyruvate dehydrogenase", "ketoglutarate"):
        assert deletion not in sheet
        assert deletion in key
    assert "90% · complete or partial" in key

    result = quiz_folder.run("quiz", "--mode", "cloze", "--category", "dosing")
    assert result.exit_code == 2 and "--mode cloze needs cloze items" in result.output


def test_versions_have_their_own_order_and_key(quiz_folder: CardsFolder) -> None:
    result = quiz_folder.run("quiz", "--out", "exam.pdf", "--versions", "3", "--mode", "choice")
    assert result.exit_code == 0, result.output
    orders = []
    for version in "ABC":
        sheet, key = quiz_folder.root / f"exam-{version}.pdf", quiz_folder.root / f"exam-{version}-key.pdf"
        assert all_text(sheet).startswith(f"Quiz Test deck · Version {version}")
        assert f"Quiz · Version {version} · Answer key" in all_text(key)
        orders.append(question_order(sheet))
        assert question_order(key) == orders[-1], "the key follows its own version's numbering"
    assert sorted(orders[0]) == sorted(orders[1]) == sorted(orders[2]) == sorted(PROMPTS)
    assert len({tuple(order) for order in orders}) == 3
    assert not (quiz_folder.root / "exam.pdf").exists()


def test_a_question_is_never_split_across_pages(tmp_path: Path) -> None:
    folder = CardsFolder.example(tmp_path)
    long_choices = ", ".join(
        f"option text {n} that is long enough to wrap onto a second line of the sheet" for n in "ab"
    )
    items = "\n".join(
        f"  - id: q{i:02}\n    category: dosing\n"
        f"    q: Question number {i} asks something that needs a long prompt to read?\n"
        f"    a: Answer {i} mg\n    wrong: [{long_choices}, Wrong {i} mg]"
        for i in range(30)
    )
    folder.write("many.yaml", "items:\n" + items + "\n")
    out = tmp_path / "many.pdf"
    api.quiz(folder.cards, out, mode="choice")
    pages = page_texts(out)
    assert len(pages) > 3
    [sheet] = make_sheets(api.load_deck(folder.cards), mode="choice")
    for question in sheet.questions:
        if question.style != "choice":
            continue
        [page] = [page for page in pages if question.prompt in page]
        assert all(f"{letter}. {choice}" in page for letter, choice in zip("ABCD", question.choices, strict=False))


def test_a_heading_never_stays_alone_at_a_page_foot(tmp_path: Path) -> None:
    # As the first section grows by one question, the second heading moves down the page and,
    # at some length, reaches its foot: it must then move to the next page with its question.
    for first_section in range(4, 16):
        folder = CardsFolder(tmp_path / str(first_section))
        folder.write("deck.yaml", "name: Headings\nid: headings\n")
        items = "\n".join(
            f"  - id: q{i:02}\n    category: {'dosing' if i < first_section else 'prognosis'}\n"
            f"    q: Question {i}?\n    a: Answer {i} mg"
            for i in range(first_section + 2)
        )
        folder.write("items.yaml", "items:\n" + items + "\n")
        out = folder.root / "quiz.pdf"
        api.quiz(folder.cards, out)
        [heading_page] = [page for page in page_texts(out) if " Prognosis " in f" {page} "]
        assert f"Prognosis {first_section + 1}. Question" in heading_page


def test_build_writes_quiz_key_and_flashcards_beside_the_package(quiz_folder: CardsFolder) -> None:
    result = quiz_folder.run("build")
    assert result.exit_code == 0, result.output
    out = quiz_folder.out
    quiz, key, cards = out / "test-deck-quiz.pdf", out / "test-deck-quiz-key.pdf", out / "test-deck-flashcards.pdf"
    assert "Printouts: build/test-deck-quiz.pdf, build/test-deck-quiz-key.pdf, build/test-deck-flashcards.pdf" in (
        result.output
    )
    assert all(prompt in all_text(quiz) for prompt in PROMPTS.values())
    assert all(answer in all_text(key) for answer in ANSWERS.values())
    assert len(page_texts(cards)) == 2  # 8 items: a page of fronts and a page of backs
    before = [pdf.read_bytes() for pdf in (quiz, key, cards)]
    quiz_folder.run("build")
    assert [pdf.read_bytes() for pdf in (quiz, key, cards)] == before, "an unchanged deck rebuilds byte for byte"


def test_a_failed_render_leaves_every_previous_output(
    quiz_folder: CardsFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    quiz_folder.build()
    before = quiz_folder.snapshot()
    quiz_folder.edit("vitamins.yaml", "A sensory ganglionopathy.", "A sensory neuronopathy.")

    def broken(*args: object, **kwargs: object) -> bytes:
        raise RuntimeError("Typst failed")

    monkeypatch.setattr("studydeck.printing.pdf.render_flashcards", broken)
    with pytest.raises(RuntimeError):
        quiz_folder.build()
    assert quiz_folder.snapshot() == before
    assert sorted(p.name for p in quiz_folder.out.iterdir() if p.name not in BOOKKEEPING) == sorted(
        [
            ".studydeck-build.json",
            "test-deck.apkg",
            "test-deck-quiz.pdf",
            "test-deck-quiz-key.pdf",
            "test-deck-flashcards.pdf",
        ]
    ), "no temporary file is left behind"


def test_selection_error_is_raised_by_the_api(quiz_folder: CardsFolder) -> None:
    with pytest.raises(SelectionError, match="unknown deck"):
        api.quiz(quiz_folder.cards, quiz_folder.root / "x.pdf", filters=Filters(decks=("Nope",)))


# -- choices: as many as the letters, each once (issue 16, item 19) -----------------------------


def _choice_item(folder: CardsFolder, wrong: list[str], answer: str = "x") -> None:
    import json

    item = {"id": "pick", "category": "mechanism", "q": "Which one?", "a": answer, "wrong": wrong}
    folder.write("pick.yaml", json.dumps({"items": [item]}))


def test_more_distractors_than_letters_are_refused_where_the_first_extra_one_is(folder: CardsFolder) -> None:
    """40 distractors were silently cut to 25: a choice question letters its options A to Z."""
    _choice_item(folder, [f"option {n}" for n in range(40)])
    result = folder.run("check")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "cards/pick.yaml:1:406: error: an item has at most 25 distractors (a multiple-choice question letters its "
        "options A to Z); this is distractor 26 of 40"
    ), result.stderr
    _choice_item(folder, [f"option {n}" for n in range(25)])
    [sheet] = make_sheets(api.load_deck(folder.cards), mode="choice")
    [question] = [q for q in sheet.questions if q.item_id == "pick"]
    assert len(question.choices) == 26 and question.answer_letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def test_options_that_read_alike_are_one_option(folder: CardsFolder) -> None:
    """`x` and `X` were shown as two options (one right, one wrong); the LMS exports already
    counted them as one: one rule (`text.option_key`) for both."""
    from studydeck.export.questions import choices

    _choice_item(folder, ["X", "x.", " x ", "**x**", "y", "Y"], answer="x")
    cards = api.load_deck(folder.cards)
    [question] = [q for q in make_sheets(cards, mode="choice")[0].questions if q.item_id == "pick"]
    assert sorted(question.choices) == ["x", "y"] and question.answer == "x"
    [item] = [i for i in cards.items if i.id == "pick"]
    assert [choice.correct for choice in choices(item)] == [True, False]
