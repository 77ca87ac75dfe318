"""`studydeck stats`: counts per category, subdeck, tag, source and flag; what items lack."""

from __future__ import annotations

import json

from studydeck import api
from studydeck.authoring.stats import deck_stats

from helpers import CardsFolder


def test_stats_count_what_the_deck_holds(folder: CardsFolder) -> None:
    folder.edit("drugs.yaml", "    reverse: true\n", "    reverse: true\n    tags: [flag::disputed, brand]\n")
    folder.write(
        "other.yaml",
        """
        items:
          - id: no-source
            category: dosing
            q: How much?
            a: "**Ten** mg twice a day, with food"
            wrong: [5 mg]
        """,
    )
    stats = deck_stats(api.load_deck(folder.cards))
    assert (stats.items, stats.basic, stats.cloze) == (4, 3, 1)
    categories = dict(stats.by_category)
    assert categories["dosing"] == 2 and categories["classification"] == 1 and categories["prognosis"] == 1
    assert categories["overdose"] == 0  # unused categories are listed, so gaps show
    assert stats.by_subdeck == (("Test deck", 1), ("Test deck::Drugs::Immunoglobulin", 3))
    assert stats.by_tag == (("ivig", 3), ("brand", 1))  # most frequent first; flags counted apart
    assert stats.by_flag == (("disputed", 1),)
    assert stats.by_source == (("src", 3),)
    assert stats.without_distractors == ("ivig-brand",)  # the cloze item needs none
    assert stats.without_source == ("no-source",)
    # Answers: 8 words (ivig-dose), 1, cloze deletions "90%" + "complete or partial" = 4,
    # "Ten mg twice a day, with food" = 7 (Markdown does not count).
    assert (stats.answer_words.median, stats.answer_words.max) == (5.5, 8)
    assert stats.answer_words.longest == "ivig-dose"


def test_stats_command_prints_tables_or_json(folder: CardsFolder) -> None:
    table = folder.run("stats")
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert lines[0] == "Test deck: 3 items (2 basic, 1 cloze)"
    assert any(line.split() == ["dosing", "1"] for line in lines)
    assert "Basic items without distractors (wrong:): 1" in lines
    assert "  ivig-brand" in lines
    assert "Words per answer: median 4, max 8 (ivig-dose)" in lines

    as_json = folder.run("stats", "--json")
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.output)
    assert data["by_subdeck"] == {"Test deck::Drugs::Immunoglobulin": 3}
    assert data["without_distractors"] == ["ivig-brand"]
    assert data["answer_words"] == {"median": 4, "max": 8, "longest": "ivig-dose"}


def test_stats_on_broken_cards_reports_the_error(folder: CardsFolder) -> None:
    folder.edit("drugs.yaml", "category: dosing", "category: dosage")
    result = folder.run("stats")
    assert result.exit_code == 1
    assert "drugs.yaml:6:15: error: unknown category 'dosage'" in result.stderr
