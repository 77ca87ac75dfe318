"""Lockfile numbers that fit the format but would break a build (issue 16, items 9 to 11).

A time of 999999999999 (or a note type's, larger still) passed `lock` and `check`, then `build`
and `quiz` crashed with "year 33658 is out of range"; two note ids 1 apart, the first item with
a reverse card, crashed `build` on colliding card ids while `lock --repair` called the file
sound; a note id near the top of the range made `build` write a 17-digit id that `lock` then
called damaged. One rule (identity/lockfile.py: times up to the year 9999, note ids from 1 to
the same instant in milliseconds and at least 100 apart) is applied by `lock`, `lock --repair`,
`check` and `build` alike: refused with a located message, repaired, never a traceback.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from studydeck.identity.lockfile import MAX_NOTE_ID, MAX_TIME

from anki_backend import import_package, new_collection
from helpers import CardsFolder, diagnostics_printed


def _lines(folder: CardsFolder) -> list[str]:
    return folder.lockfile.read_text().splitlines()


def _set(folder: CardsFolder, item_id: str, *, note_id: int | None = None, mod: int | None = None) -> int:
    """Change one item's note id or time in the lockfile; the line's number."""
    lines = _lines(folder)
    for number, line in enumerate(lines, start=1):
        parts = line.split(" ")
        if parts[:2] in (["item", item_id], ["gone", item_id]):
            at = 3 if parts[2] != "cloze" else 4
            if note_id is not None:
                parts[at] = str(note_id)
            if mod is not None:
                parts[at + 1] = str(mod)
            lines[number - 1] = " ".join(parts)
            folder.lockfile.write_text("\n".join(lines) + "\n")
            return number
    raise AssertionError(item_id)


def _note_id(folder: CardsFolder, item_id: str) -> int:
    [line] = [line for line in _lines(folder) if line.startswith(f"item {item_id} ")]
    return int(line.split(" ")[3 if " cloze " not in line else 4])


def _refused_everywhere(folder: CardsFolder, line: int, message: str) -> None:
    """`lock`, `check`, `build` and `quiz` all exit 1 with the same located error; nothing written."""
    before = folder.snapshot()
    for command in (["lock"], ["check"], ["build"], ["quiz", "--out", "q.pdf"]):
        result = folder.run(*command)
        assert result.exit_code == 1, (command, result.output)
        shown = [m.group(0) for m in diagnostics_printed(result)]
        assert any(s.startswith(f"cards/studydeck.lock:{line}:1: error: damaged lockfile: ") and message in s
                   for s in shown), (command, shown)  # fmt: skip
    assert folder.snapshot() == before
    assert not (folder.root / "q.pdf").exists()


def _repaired_and_built(folder: CardsFolder, expected: str, tmp_path: Path) -> None:
    """`lock --repair` says what it did; then every command agrees that the lockfile is sound,
    and the package imports into Anki with every card."""
    repaired = folder.run("lock", "--repair")
    assert repaired.exit_code == 0 and expected in repaired.output, repaired.output
    for command in ("lock", "check", "build"):
        result = folder.run(command)
        assert result.exit_code == 0, (command, result.output)
    assert "is sound" in folder.run("lock", "--repair").output
    col = new_collection(tmp_path / "anki")
    try:
        import_package(col, folder.package)
        assert col.card_count() == 5  # ivig-dose, ivig-brand and its reverse, the cloze's two
    finally:
        col.close()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"mod": 999_999_999_999}, "time 999999999999 is after the year 9999"),
        ({"mod": MAX_TIME + 1}, f"time {MAX_TIME + 1} is after the year 9999"),
        ({"note_id": 0}, "note id 0 is not a time from 1970 to the year 9999"),
        ({"note_id": 9_999_999_999_999_999}, "note id 9999999999999999 is not a time"),
        ({"note_id": MAX_NOTE_ID + 1}, f"note id {MAX_NOTE_ID + 1} is not a time"),
    ],
)
def test_a_number_out_of_range_is_refused_then_repaired(
    built: CardsFolder, tmp_path: Path, change: dict[str, int], message: str
) -> None:
    line = _set(built, "ivig-dose", **change)
    _refused_everywhere(built, line, message)
    _repaired_and_built(built, "dropped  cards/studydeck.lock", tmp_path)


def test_a_note_types_time_out_of_range_is_refused_then_repaired(built: CardsFolder, tmp_path: Path) -> None:
    lines = _lines(built)
    [at] = [n for n, line in enumerate(lines) if line.startswith("notetype ")][:1]
    lines[at] = re.sub(r" \d+$", " 9999999999999", lines[at])
    built.lockfile.write_text("\n".join(lines) + "\n")
    _refused_everywhere(built, at + 1, "time 9999999999999 is after the year 9999")
    _repaired_and_built(built, "dropped  cards/studydeck.lock", tmp_path)


@pytest.mark.parametrize("apart", [0, 1, 99])
def test_note_ids_too_close_for_their_cards_are_refused_then_renumbered(
    built: CardsFolder, tmp_path: Path, apart: int
) -> None:
    # ivig-brand has a reverse card: its cards are note id + 0 and + 1
    line = _set(built, "ivig-dose", note_id=_note_id(built, "ivig-brand") + apart)
    _refused_everywhere(built, line, "so their cards' ids could collide in Anki")
    _repaired_and_built(built, "new note id for ivig-dose", tmp_path)


def test_a_note_id_at_the_top_of_the_range_leaves_room_for_new_items(built: CardsFolder, tmp_path: Path) -> None:
    _set(built, "ivig-brand", note_id=MAX_NOTE_ID - 50)
    built.write("more.yaml", "items:\n" + "".join(
        f"  - id: more-{n}\n    category: mechanism\n    q: Question {n}?\n    a: Answer {n}.\n" for n in range(3)
    ))  # fmt: skip
    for _ in range(2):  # and the lockfile the build wrote reads back, and builds the same
        result = built.run("build")
        assert result.exit_code == 0, result.output
        assert built.run("lock").exit_code == 0
    note_ids = sorted(int(line.split(" ")[3 if " cloze " not in line else 4]) for line in _lines(built)
                      if line.startswith("item "))  # fmt: skip
    assert note_ids[-1] == MAX_NOTE_ID - 50 and all(b - a >= 100 for a, b in itertools.pairwise(note_ids))


# Any numbers that fit the format (1 to 16 digits), in any item, gone or note type line.
numbers = st.integers(0, 10**16 - 1) | st.sampled_from([0, 1, MAX_TIME, MAX_TIME + 1, MAX_NOTE_ID, MAX_NOTE_ID + 1])


@settings(max_examples=30, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_lock_check_build_and_repair_agree_on_any_numbers(
    built_template: CardsFolder, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    import shutil

    folder = CardsFolder(tmp_path_factory.mktemp("numbers"))
    shutil.copytree(built_template.root, folder.root, dirs_exist_ok=True)
    lines = _lines(folder)
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.sampled_from([n for n, line in enumerate(lines) if line.startswith(("item", "notetype"))]))
        parts = lines[at].split(" ")
        slots = [n for n, part in enumerate(parts) if n >= 2 and part.isdigit()]
        parts[data.draw(st.sampled_from(slots))] = str(data.draw(numbers))
        lines[at] = " ".join(parts)
    folder.lockfile.write_text("\n".join(lines) + "\n")
    verdicts = {command: folder.run(command).exit_code for command in ("lock", "check", "build")}
    assert set(verdicts.values()) in ({0}, {1}), verdicts  # all agree, and no traceback (3)
    event("sound" if verdicts["lock"] == 0 else "refused")
    if verdicts["lock"] == 1:
        assert folder.run("lock", "--repair").exit_code == 0
        assert {folder.run(command).exit_code for command in ("lock", "check", "build")} == {0}
