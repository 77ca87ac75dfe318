"""An item turned from basic into cloze (or back): `build` warns at the item, because Anki's
import cannot apply it, and the lockfile (format 2) records each item's kind to notice it."""

from __future__ import annotations

import shutil

import pytest

from studydeck import api
from studydeck.diagnostics import Diagnostics
from studydeck.identity.lockfile import parse_lockfile

from helpers import CardsFolder, diagnostics_printed

BASIC_BRAND = """\
    q: Which class does IVIG belong to?
    a: Immunoglobulins
    reverse: true
    allow: {short-reverse: "tests need a reverse card; a one-word answer keeps the fixtures short"}"""
CLOZE_BRAND = '    cloze: "IVIG is an {{c1::immunoglobulin}}."'
CLOZE_REMISSION = '    cloze: "About {{c1::90%}} of CIDP patients reach {{c2::complete or partial}} remission."'
BASIC_REMISSION = "    q: What share of CIDP patients reach remission?\n    a: About 90%"


@pytest.mark.parametrize(
    ("old", "new", "item_id", "line", "change"),
    [
        (BASIC_BRAND, CLOZE_BRAND, "ivig-brand", 10, "basic to cloze"),
        (CLOZE_REMISSION, BASIC_REMISSION, "cidp-remission", 16, "cloze to basic"),
    ],
)
def test_a_kind_change_is_a_warning_at_the_item_naming_apply(
    built: CardsFolder, old: str, new: str, item_id: str, line: int, change: str
) -> None:
    built.edit("drugs.yaml", old, new)
    result = built.run("build")
    assert result.exit_code == 0, result.output
    printed = [m for m in diagnostics_printed(result) if m.group("severity") == "warning"]
    assert [(m.group("path"), int(m.group("line")), m.group("message")) for m in printed] == [
        (
            "cards/drugs.yaml",
            line,
            f"'{item_id}' changed from {change}: importing the package in Anki does not apply this "
            "(Anki keeps the old note and reports it as conflicting); `studydeck apply` does",
        )
    ]
    assert f"changed  {item_id}" in result.stdout
    # Said once: the next build knows the new kind.
    built.edit("drugs.yaml", "0.4 g/kg per day IV for 5 days.", "0.4 g/kg per day IV for 5 days (2 g/kg).")
    again = built.run("build")
    assert again.exit_code == 0 and not diagnostics_printed(again)


def test_a_fresh_clone_without_build_folder_still_warns(built: CardsFolder) -> None:
    """The kind comes from the committed lockfile, not from the build folder."""
    shutil.rmtree(built.out)
    built.edit("drugs.yaml", BASIC_BRAND, CLOZE_BRAND)
    result = built.build()
    assert [w.message.split(":")[0] for w in result.warnings] == ["'ivig-brand' changed from basic to cloze"]


def test_the_lockfile_marks_cloze_items_and_only_them(built: CardsFolder) -> None:
    lines = [line for line in built.lockfile.read_text().splitlines() if line.startswith("item ")]
    marked = {line.split()[1] for line in lines if line.split()[2] == "cloze"}
    assert marked == {"cidp-remission"}
    assert "studydeck-lock 2" in built.lockfile.read_text().splitlines()
    lock = api.load_lockfile(built.cards)
    assert lock.kinds_known and lock.items["cidp-remission"].kind == "cloze" and lock.items["ivig-dose"].kind == ""


def as_format_1(text: str) -> str:
    """The same lockfile as studydeck wrote it before it recorded kinds."""
    return text.replace("studydeck-lock 2", "studydeck-lock 1").replace(" cloze ", " ")


def test_a_format_1_lockfile_is_read_and_upgraded_by_the_next_build_without_false_warnings(
    built: CardsFolder,
) -> None:
    v2 = built.lockfile.read_text()
    built.lockfile.write_text(as_format_1(v2))
    before = api.load_lockfile(built.cards)
    assert not before.kinds_known
    # Every item's identity and time read as before.
    recorded = parse_lockfile(v2, "studydeck.lock", Diagnostics()).items
    assert {k: e[:5] for k, e in before.items.items()} == {k: e[:5] for k, e in recorded.items()}
    # An edited cloze item: its kind was not recorded, so nothing is said about kinds.
    built.edit("drugs.yaml", "{{c1::90%}}", "{{c1::about 90%}}")
    result = built.build()
    assert result.report.changed == ("cidp-remission",)
    assert not result.warnings
    after = api.load_lockfile(built.cards)
    assert after.kinds_known and after.items["cidp-remission"].kind == "cloze"
    assert after.items["ivig-dose"] == before.items["ivig-dose"]


def test_lock_forget_keeps_a_format_1_lockfile_in_format_1(built: CardsFolder) -> None:
    built.edit("drugs.yaml", "  - id: ivig-brand", "  - id: ivig-brand-2")
    built.build()
    built.lockfile.write_text(as_format_1(built.lockfile.read_text()))
    result = built.run("lock", "--forget", "ivig-brand")
    assert result.exit_code == 0, result.output
    text = built.lockfile.read_text()
    assert "studydeck-lock 1" in text.splitlines() and " cloze " not in text


def test_an_unknown_future_format_is_refused(built: CardsFolder) -> None:
    built.lockfile.write_text(built.lockfile.read_text().replace("studydeck-lock 2", "studydeck-lock 3"))
    result = built.run("build")
    assert result.exit_code == 1
    assert "unknown format '3' (this studydeck reads formats 1 and 2)" in result.stderr


@pytest.mark.parametrize("seed", range(20))
def test_cloze_marks_survive_updating_and_reading_the_lockfile(seed: int) -> None:
    """Lines with the cloze mark sort, update and read back like the others (ids such as
    "a" and "a-b" test the bisection that finds a line by its id)."""
    import random

    from studydeck.identity.lockfile import LockEntry, Lockfile, NoteTypeEntry, format_lockfile, update_lockfile_text

    rng = random.Random(seed)
    ids = ["a", "a-b", "a.b", "a0", "cloze", "cloze-x", "b", *[f"item-{n}" for n in range(30)]]

    def entry(item_id: str) -> LockEntry:
        subdeck = rng.choice(["", "Drugs", "cloze", "Drugs::IVIG"])
        kind = rng.choice(["", "cloze"])
        return LockEntry(item_id, f"{rng.getrandbits(64):016x}", rng.randrange(1, 10**13), rng.randrange(10**9),
                         subdeck, kind)  # fmt: skip

    notetypes = {1: NoteTypeEntry(1, "0" * 16, 5)}
    old = Lockfile("deck", notetypes, {i: entry(i) for i in ids if rng.random() < 0.7})
    items = dict(old.items)
    for item_id in rng.sample(ids, 10):
        if item_id in items and rng.random() < 0.5:
            items[item_id] = items[item_id]._replace(kind="" if items[item_id].kind else "cloze")
        else:
            items[item_id] = entry(item_id)
    new = Lockfile("deck", notetypes, items)
    text = update_lockfile_text(format_lockfile(old), old, new)
    assert text == format_lockfile(new)
    diags = Diagnostics()
    assert parse_lockfile(text, "studydeck.lock", diags) == new and not diags.items


def test_repairing_a_merge_of_format_1_and_format_2_writes_format_1(built: CardsFolder) -> None:
    """A side written before kinds were recorded may lack cloze marks: the kinds are unknown,
    and the file is written without marks (as format 1, which older studydecks read)."""
    v2 = built.lockfile.read_text()
    lines = v2.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("item "))
    ours = "\n".join(lines[at:])
    theirs = as_format_1(ours)
    merged = "\n".join([*lines[:at], "<<<<<<< HEAD", ours, "=======", theirs, ">>>>>>> old", "studydeck-lock 1"])
    built.lockfile.write_text(merged + "\n")
    result = built.run("lock", "--repair")
    assert result.exit_code == 0, result.output
    text = built.lockfile.read_text()
    assert "studydeck-lock 1" in text.splitlines() and "studydeck-lock 2" not in text and " cloze " not in text
    assert not api.load_lockfile(built.cards).kinds_known
    assert built.build().warnings == ()  # and the next build records the kinds again
    assert " cloze " in built.lockfile.read_text()
