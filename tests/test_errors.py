"""One test per kind of mistake in the cards (DESIGN.md §1, §2).

Each builds a good deck first, makes one mistake, and runs `studydeck build` as a user
would: exit status 1, the error printed as `path:line:col: error: message` pointing at the
mistake, nothing else on stderr (no traceback), and the previous outputs byte-identical.
"""

from __future__ import annotations

import pytest

from helpers import CardsFolder, diagnostics_printed


def assert_build_fails(folder: CardsFolder, path: str, line: int, col: int, message: str) -> None:
    """Build after a good one: exit 1, the error at ``path:line:col`` (0: no position), outputs untouched."""
    before = folder.snapshot()
    result = folder.run("build")
    assert result.exit_code == 1, result.output
    printed = diagnostics_printed(result)
    position = f"{path}:{line}:{col}" if line else path
    expected = f"{position}: error: "
    shown = [m.group(0) for m in printed]
    assert any(text.startswith(expected) and message in text for text in shown), "\n".join(shown)
    assert folder.snapshot() == before, "a failed build changed the previous outputs"


ITEM = """\
items:
  - id: new-item
    category: mechanism
    q: How does IVIG work?
    a: Several ways.
"""

# (what is wrong, card file text, line, column, part of the message)
CARD_FILE_MISTAKES = [
    ("required key", ITEM.replace("    category: mechanism\n", ""), 2, 5, "missing the required key 'category'"),
    ("q is not text", ITEM.replace("How does IVIG work?", "[a, b]"), 4, 8, "q must be text, not a list"),
    ("a is a date", ITEM.replace("Several ways.", "2025-07-04"), 5, 8, "a must be text, not a date (quote it)"),
    ("reverse not boolean", ITEM + "    reverse: yes please\n", 6, 14, "reverse must be true or false"),
    ("tags not a list", ITEM + "    tags: {a: 1}\n", 6, 11, "tags must be a list of text"),
    ("tag with a space", ITEM + "    tags: [two words]\n", 6, 12, "contains a space"),
    ("items not a list", "items: three\n", 1, 8, "items must be a list, not text"),
    ("item not a mapping", "items:\n  - just text\n", 2, 5, "an item must be a mapping, not text"),
    ("top level is a list", "- id: x\n", 1, 1, "a card file must be a mapping, not a list"),
    ("top level is a scalar", "hello\n", 1, 1, "a card file must be a mapping, not text"),
    ("id pattern", ITEM.replace("new-item", "New_Item"), 2, 9, "id 'New_Item' must be lowercase letters"),
    ("id duplicated in another file", ITEM.replace("new-item", "ivig-dose"), 2, 9, "duplicate id 'ivig-dose'"),
    ("unknown category", ITEM.replace("mechanism", "mechanisms"), 3, 15, "(did you mean 'mechanism'?)"),
    ("unknown key", ITEM + "    sorce: src\n", 6, 5, "unknown key 'sorce' in an item (did you mean 'source'?)"),
    ("unknown file key", "tgs: [x]\n" + ITEM, 1, 1, "unknown key 'tgs' in a card file (did you mean 'tags'?)"),
    ("both basic and cloze", ITEM + '    cloze: "{{c1::x}}"\n', 2, 5, "basic (q and a) or cloze (cloze), not both"),
    ("basic without answer", ITEM.replace("    a: Several ways.\n", ""), 2, 5, "'a' is missing"),
    ("neither basic nor cloze", "items:\n  - id: x\n    category: dosing\n", 2, 5, "needs 'q' and 'a' (basic)"),
    ("empty answer", ITEM.replace("Several ways.", '""'), 5, 8, "a must not be empty"),
    ("unknown source", ITEM + "    source: scr\n", 6, 13, "unknown source 'scr' (did you mean 'src'?)"),
    ("unknown source key", ITEM + "    source: {key: nope}\n", 6, 19, "unknown source 'nope'"),
    ("image not found", ITEM + "    image: media/missing.png\n", 6, 12, "image file 'media/missing.png' not found"),
    ("reverse on a cloze", 'items:\n  - id: c\n    category: dosing\n    cloze: "{{c1::5 mg}}"\n    reverse: true\n',
     5, 14, "reverse applies to basic items"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "line", "col", "message"),
    [pytest.param(text, line, col, message, id=name) for name, text, line, col, message in CARD_FILE_MISTAKES],
)
def test_card_file_mistake(built: CardsFolder, text: str, line: int, col: int, message: str) -> None:
    built.write("more.yaml", text)
    assert_build_fails(built, "cards/more.yaml", line, col, message)


CLOZE_MISTAKES = [
    ("unclosed", "About {{c1::90% respond.", "is not closed with '}}'"),
    ("empty", "About {{c1::}} respond.", "cloze deletion c1 is empty"),
    ("c0", "About {{c0::90%}} respond.", "cloze number c0 must be c1 to c99"),
    ("nested", "About {{c1::90% {{c2::of}}}} respond.", "cannot be nested"),
    ("stray close", "About 90%}} respond.", "'}}' without a matching"),
    ("not a deletion", "About {{90%}} respond.", "'{{' must start a deletion"),
    ("no deletion", "About 90% respond.", "cloze text has no deletion"),
]


@pytest.mark.parametrize(("cloze", "message"), [pytest.param(c, m, id=name) for name, c, m in CLOZE_MISTAKES])
def test_cloze_mistake(built: CardsFolder, cloze: str, message: str) -> None:
    built.write("more.yaml", f'items:\n  - id: c\n    category: prognosis\n    cloze: "{cloze}"\n')
    assert_build_fails(built, "cards/more.yaml", 4, 12, message)


DECK_MISTAKES = [
    ("missing name", "id: test-deck\n", 1, 1, "deck.yaml is missing the required key 'name'"),
    ("bad deck id", "name: Test deck\nid: Test Deck\n", 2, 5, "deck id 'Test Deck' must be lowercase"),
    ("unknown key", "name: Test deck\nid: test-deck\ndescripton: x\n", 3, 1, "(did you mean 'description'?)"),
    ("empty name part", 'name: "Test::"\nid: test-deck\n', 1, 7, "deck name 'Test::' has an empty part around '::'"),
    ("url scheme", "name: Test deck\nid: test-deck\nsources:\n  src:\n    title: T\n    url: javascript:alert(1)\n",
     6, 10, "url of source 'src' must start with http:// or https://"),
    ("reviewed not a date", "name: Test deck\nid: test-deck\nsources:\n  src:\n    title: T\n    reviewed: last week\n",
     6, 15, "must be a date like 2025-07-04"),
    ("source without title", "name: Test deck\nid: test-deck\nsources:\n  src: {url: https://example.org}\n",
     4, 8, "source 'src' is missing the required key 'title'"),
    ("category listed twice", "name: Test deck\nid: test-deck\ncategories: [dosing, dosing]\n", 3, 22,
     "category 'dosing' is listed twice"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "line", "col", "message"),
    [pytest.param(text, line, col, message, id=name) for name, text, line, col, message in DECK_MISTAKES],
)
def test_deck_file_mistake(built: CardsFolder, text: str, line: int, col: int, message: str) -> None:
    built.write("deck.yaml", text)
    assert_build_fails(built, "cards/deck.yaml", line, col, message)


def test_deck_file_missing(built: CardsFolder) -> None:
    (built.cards / "deck.yaml").unlink()
    assert_build_fails(built, "cards/deck.yaml", 0, 0, "deck.yaml is missing")


def test_every_error_is_reported_in_one_pass(built: CardsFolder) -> None:
    built.write(
        "more.yaml",
        """\
        items:
          - id: Bad
            category: dosing
            q: Dose?
            a: 5 mg
          - id: fine
            category: dosage
            q: Other?
            a: 10 mg
            colour: red
        """,
    )
    result = built.run("build")
    assert result.exit_code == 1
    positions = [(m["line"], m["col"]) for m in diagnostics_printed(result) if m["severity"] == "error"]
    assert positions == [("2", "9"), ("7", "15"), ("10", "5")]
    assert "3 error(s)" in result.stderr


# -- warnings: printed as `warning:`, fatal only under --strict ------------------------------

LONG_ANSWER = " ".join(["word"] * 45)
WARNINGS = [
    ("long answer", f"items:\n  - id: w\n    category: mechanism\n    q: Why?\n    a: {LONG_ANSWER}\n", 5, 8,
     "answer has 45 words"),
    ("same question", "items:\n  - id: w\n    category: mechanism\n    q: What IVIG regimen is used in CIDP?\n"
     "    a: Another answer.\n", 2, 9, "asks the same question as 'ivig-dose'"),
    ("dosing without unit", "items:\n  - id: w\n    category: dosing\n    q: How much?\n    a: A lot.\n", 5, 8,
     "dosing item has no number with a unit"),
    ("dosing cloze without unit", 'items:\n  - id: w\n    category: dosing\n    cloze: "Give {{c1::a lot}}."\n', 4, 12,
     "dosing item has no number with a unit"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "line", "col", "message"),
    [pytest.param(text, line, col, message, id=name) for name, text, line, col, message in WARNINGS],
)
def test_warning_fails_only_under_strict(built: CardsFolder, text: str, line: int, col: int, message: str) -> None:
    built.write("more.yaml", text)
    expected = f"cards/more.yaml:{line}:{col}: warning: "

    relaxed = built.run("check")
    assert relaxed.exit_code == 0, relaxed.output
    assert any(m.group(0).startswith(expected) and message in m.group(0) for m in diagnostics_printed(relaxed))

    strict = built.run("check", "--strict")
    assert strict.exit_code == 1, strict.output
    assert any(m.group(0).startswith(expected) and message in m.group(0) for m in diagnostics_printed(strict))
    assert strict.stderr.endswith("0 error(s), 1 warning(s); nothing was written.\n"), strict.stderr

    before = built.snapshot()
    strict_build = built.run("build", "--strict")
    assert strict_build.exit_code == 1
    assert built.snapshot() == before

    build = built.run("build")
    assert build.exit_code == 0, build.output
    assert any(m.group(0).startswith(expected) for m in diagnostics_printed(build))
