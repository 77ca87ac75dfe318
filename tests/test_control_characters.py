"""Control characters never reach Anki or an export (issue 16, item 5).

Anki separates a note's fields with \\x1f: one inside a field (written in YAML as the escape
"\\x1f") made Anki refuse the whole deck ("note has 9 fields, expected 8"), and the TSV and HTML
exports carried such bytes through. Every string that reaches a field, a tag, a deck name, a
source or an export is read by `schema.Reader.text`, which refuses them with a located error:
each case below puts one into one such value, and `check` and `build` must point at it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from studydeck import api
from studydeck.export import ALL_FORMATS

from anki_backend import import_package, new_collection
from helpers import DECK_YAML, CardsFolder, diagnostics_printed

CARD = """\
deck: Drugs
source: src
tags: [ivig]
items:
  - id: an-item
    category: mechanism
    q: How does IVIG work?
    a: Several ways.
    extra: More.
    caution: Careful.
    tags: [drug]
    source: {key: src, section: Intro}
    wrong: [One way]
  - id: a-cloze
    category: mechanism
    cloze: "IVIG is {{c1::pooled}} IgG."
"""

#: (value as written in the card file, replaced by, the line where the error must be) for every
#: string of a card file that reaches Anki or an export.
CARD_VALUES = [
    ("deck: Drugs", 'deck: "Dr\\x1fugs"', 1),
    ("source: src\n", 'source: "s\\x1frc"\n', 2),
    ("tags: [ivig]", 'tags: ["iv\\x1fig"]', 3),
    ("id: an-item", 'id: "an\\x1fitem"', 5),
    ("category: mechanism\n    q", 'category: "mech\\x1fanism"\n    q', 6),
    ("q: How does IVIG work?", 'q: "How\\x1f?"', 7),
    ("a: Several ways.", 'a: "Several\\x1fways."', 8),
    ("extra: More.", 'extra: "More\\x1f."', 9),
    ("caution: Careful.", 'caution: "Care\\x00ful."', 10),
    ("tags: [drug]", 'tags: ["dr\\x1fug"]', 11),
    ("key: src, section: Intro", 'key: "s\\x1frc", section: Intro', 12),
    ("section: Intro", 'section: "Part\\x1fTwo"', 12),
    ("wrong: [One way]", 'wrong: ["One\\x7fway"]', 13),
    ('cloze: "IVIG is {{c1::pooled}} IgG."', 'cloze: "IVIG is {{c1::poo\\x1fled}} IgG."', 16),
    ("wrong: [One way]", 'wrong: [One way]\n    image: "media/x\\x1f.png"', 14),
]

#: The same for deck.yaml.
DECK_VALUES = [
    ("name: Test deck", 'name: "Test\\x1fdeck"', 1),
    ("description: A deck for tests", 'description: "A deck\\x1f for tests"', 3),
    ("  src:", '  "s\\x1frc":', 5),
    ("title: The source article", 'title: "The source\\x1f article"', 6),
    ("url: https://example.org/article", 'url: "https://example.org/\\x1fa"', 7),
    ("    reviewed", '    publisher: "iL\\x9five"\n    reviewed', 8),
    ("description: A deck for tests", "description: A deck for tests\ncategories: [mechanism, \"do\\x1fsing\"]", 4),
]


def _fails_at(folder: CardsFolder, rel: str, line: int, message: str) -> None:
    for command in ("check", "build"):
        result = folder.run(command)
        assert result.exit_code == 1, result.output
        shown = [m.group(0) for m in diagnostics_printed(result)]
        assert any(s.startswith(f"cards/{rel}:{line}:") and message in s for s in shown), "\n".join(shown)
    assert not folder.package.exists()


@pytest.mark.parametrize(("old", "new", "line"), CARD_VALUES, ids=[new for _, new, _ in CARD_VALUES])
def test_a_control_character_in_any_card_file_value_is_refused_where_it_is(
    folder: CardsFolder, old: str, new: str, line: int
) -> None:
    folder.write("drugs.yaml", CARD.replace(old, new, 1))
    _fails_at(folder, "drugs.yaml", line, "contains the control character U+00")


@pytest.mark.parametrize(("old", "new", "line"), DECK_VALUES, ids=[new for _, new, _ in DECK_VALUES])
def test_a_control_character_in_any_deck_file_value_is_refused_where_it_is(
    folder: CardsFolder, old: str, new: str, line: int
) -> None:
    folder.write("drugs.yaml", CARD)
    assert old in DECK_YAML
    folder.write("deck.yaml", DECK_YAML.replace(old, new, 1))
    _fails_at(folder, "deck.yaml", line, "contains the control character U+00")


@pytest.mark.parametrize(
    ("rel", "old", "new", "line"),
    [
        ("deck.yaml", "name: Test deck", 'name: "Test\\ndeck"', 1),
        ("deck.yaml", "title: The source article", "title: |\n      The source\n      article", 6),
        ("deck.yaml", "url: https://example.org/article", 'url: "https://example.org/\\ra"', 7),
        ("drugs.yaml", "section: Intro", 'section: "Part\\nTwo"', 12),
        ("drugs.yaml", "deck: Drugs", 'deck: "Drugs\\tand more"', 1),
    ],
)
def test_one_line_values_hold_no_line_break_or_tab(
    folder: CardsFolder, rel: str, old: str, new: str, line: int
) -> None:
    folder.write("drugs.yaml", CARD)
    text = (folder.cards / rel).read_text()
    folder.write(rel, text.replace(old, new, 1))
    message = "must be one line" if "\\t" not in new else "contains the control character U+0009"
    _fails_at(folder, rel, line, message)


# Tabs and line breaks are fine in card text: Markdown needs them.
MULTI_LINE = """\
deck: Drugs
items:
  - id: an-item
    category: mechanism
    q: "Tab\\there?"
    a: |
      - one
      - two\tcolumns
    extra: "Line\\nbreak"
"""


def test_text_with_tabs_and_line_breaks_reaches_anki_intact(folder: CardsFolder, tmp_path: Path) -> None:
    folder.write("drugs.yaml", MULTI_LINE + CARD.split("items:\n", 1)[1].replace("an-item", "other"))
    folder.build()
    col = new_collection(tmp_path / "anki")
    try:
        import_package(col, folder.package)
        notes = [col.get_note(nid) for nid in col.find_notes("")]
        assert sorted(n["ID"] for n in notes) == ["a-cloze", "an-item", "other"]
        for note in notes:
            assert len(note.fields) == len(note.note_type()["flds"])
            assert not any(re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", field) for field in note.fields)
    finally:
        col.close()


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_no_export_holds_a_control_character(folder: CardsFolder, fmt: str) -> None:
    folder.write("drugs.yaml", MULTI_LINE + CARD.split("items:\n", 1)[1].replace("an-item", "other"))
    data, _ = api.export(folder.cards, fmt)
    if fmt == "qti":
        import io
        import zipfile

        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            data = b"".join(archive.read(name) for name in archive.namelist() if name.endswith(".xml"))
    text = data.decode("utf-8")
    found = re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text)
    assert found is None, (fmt, json.dumps(text[max(found.start() - 20, 0) : found.end() + 20]))


# -- invisible text (issue 16, item 19): `q: "\u200b"` looks empty, and is ---------------------


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("q: How does IVIG work?", 'q: "\\u200b"', 7, "q must not be empty (it holds only invisible characters)"),
        ("a: Several ways.", 'a: "\\u2060 \\ufeff\\u00ad"', 8, "a must not be empty (it holds only invisible"),
        ("wrong: [One way]", 'wrong: ["\\u3164"]', 13, "must not be empty (it holds only invisible"),
        ("{{c1::pooled}}", "{{c1::\\u200b\\u200d}}", 16, "cloze deletion c1 is empty"),
        ("deck: Drugs", 'deck: "Drugs::\\u2800"', 1, "has an empty part around '::'"),
        # text that shows nothing once its Markdown is rendered
        ("q: How does IVIG work?", 'q: "&nbsp;"', 7, "q shows nothing once its Markdown is rendered"),
        ("a: Several ways.", 'a: "[](https://example.org)"', 8, "a shows nothing once its Markdown is rendered"),
        ("wrong: [One way]", 'wrong: ["&#8203;"]', 13, "shows nothing once its Markdown is rendered"),
    ],
)
def test_text_of_invisible_characters_is_empty(
    folder: CardsFolder, old: str, new: str, line: int, message: str
) -> None:
    folder.write("drugs.yaml", CARD.replace(old, new, 1))
    _fails_at(folder, "drugs.yaml", line, message)


def test_optional_text_of_invisible_characters_is_left_out(folder: CardsFolder) -> None:
    folder.write("drugs.yaml", CARD.replace("extra: More.", 'extra: "\\u200b"'))
    [item] = [item for item in api.load_deck(folder.cards).items if item.id == "an-item"]
    assert item.extra == ""
