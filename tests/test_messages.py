"""Each message gives the true cause, where it is (issue 16, items 18 and 19).

A FIFO as an image was "not found"; deck.yaml as a folder or a FIFO was "missing"; a lockfile
that is a folder was "no lockfile yet" to `lock` and "Is a directory" to `build`; a 300-character
deck id passed `check` and failed `build` with "File name too long"; `a: 2025-02-30`, `!!binary`
and `!foo` added a false "a must be text, not empty"; an item repeated through a YAML alias
reported its duplicate id at itself; file names with a line break or a colon broke the
one-line-per-diagnostic format. Nothing here may hang: a pipe is never read.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers import DIAGNOSTIC_LINE, CardsFolder, diagnostics_printed, unquoted_path, within_seconds

pipes = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")


def _errors(folder: CardsFolder, *command: str) -> list[str]:
    """Run a command (never longer than 20 s): exit 1, and the errors printed, one per line."""
    with within_seconds(20):
        result = folder.run(*command)
    assert result.exit_code == 1, result.output
    return [m.group(0) for m in diagnostics_printed(result) if m["severity"] == "error"]


def _make(path: Path, kind: str) -> None:
    path.unlink(missing_ok=True)
    if kind == "folder":
        path.mkdir()
    else:
        os.mkfifo(path)


ITEM = "items:\n  - id: pictured\n    category: mechanism\n    q: What does it show?\n    a: A trace.\n"


@pipes
def test_an_image_that_is_a_pipe_is_not_a_regular_file(built: CardsFolder) -> None:
    os.mkfifo(built.cards / "trace.png")
    built.write("pictured.yaml", ITEM + "    image: trace.png\n")
    for command in ("check", "build"):
        assert _errors(built, command) == [
            "cards/pictured.yaml:6:12: error: image 'trace.png' is a pipe, not a regular file"
        ]


@pipes
@pytest.mark.parametrize("kind", ["folder", "pipe"])
def test_deck_yaml_that_is_not_a_file_is_not_missing(built: CardsFolder, kind: str) -> None:
    _make(built.cards / "deck.yaml", kind)
    for command in ("check", "build"):
        assert _errors(built, command) == [
            f"cards/deck.yaml: error: not a regular file (a {kind}); studydeck reads only plain files"
        ]


@pipes
@pytest.mark.parametrize("kind", ["folder", "pipe"])
def test_a_lockfile_that_is_not_a_file_is_said_so_by_every_command(built: CardsFolder, kind: str) -> None:
    _make(built.lockfile, kind)
    expected = (
        f"cards/studydeck.lock: error: the lockfile is a {kind}, not a file; move it away "
        "(the next build writes a new lockfile)"
    )
    for command in (["lock"], ["lock", "--repair"], ["check"], ["build"], ["quiz", "--out", "q.pdf"]):
        assert _errors(built, *command) == [expected], command


def test_a_deck_id_too_long_for_a_file_name_is_refused_by_check(folder: CardsFolder) -> None:
    folder.edit("deck.yaml", "id: test-deck", "id: " + "a" * 300)
    [error] = _errors(folder, "check")
    assert error.startswith("cards/deck.yaml:2:5: error: deck id is 300 characters long; it names the files build")
    folder.edit("deck.yaml", "a" * 300, "a" * 100)  # the longest allowed builds
    assert folder.run("build").exit_code == 0


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2025-02-30", "cannot read '2025-02-30': day is out of range for month"),
        ("!!binary aGk=", "unsupported YAML tag '!!binary'; only plain values are allowed"),
        ("!foo x", "unsupported YAML tag '!foo'; only plain values are allowed"),
        ("!!int twelve", "cannot read 'twelve'"),
    ],
)
def test_a_value_yaml_cannot_read_gives_one_error(folder: CardsFolder, value: str, message: str) -> None:
    folder.write("bad.yaml", ITEM.replace("A trace.", value))
    [error] = _errors(folder, "check")
    assert error.startswith("cards/bad.yaml:5:8: error: ") and message in error, error


def test_an_item_repeated_through_an_alias_is_reported_at_the_alias(folder: CardsFolder) -> None:
    folder.write("bad.yaml", ITEM.replace("  - id:", "  - &same\n    id:") + "  - *same\n")
    [error] = _errors(folder, "check")
    assert error == (
        "cards/bad.yaml:7:5: error: this repeats the item at line 2 through a YAML alias; an item is written "
        "once (give a copy its own id)"
    )


def test_a_value_shared_through_an_alias_is_fine_and_located_at_its_use(folder: CardsFolder) -> None:
    text = ITEM + "    tags: &common [shared]\n  - id: other\n    category: mechanism\n    q: Other?\n    a: *common\n"
    folder.write("aliased.yaml", text)
    [error] = _errors(folder, "check")
    assert error == "cards/aliased.yaml:10:8: error: a must be text, not a list"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("a\nb.yaml", '"cards/a\\nb.yaml"'),
        ("x:3:4: error: y.yaml", '"cards/x:3:4: error: y.yaml"'),
        ('say "hi".yaml', '"cards/say \\"hi\\".yaml"'),
        ("tab\there.yaml", '"cards/tab\\there.yaml"'),
    ],
)
def test_a_path_that_would_break_a_diagnostic_is_quoted_as_git_quotes_it(
    folder: CardsFolder, name: str, shown: str
) -> None:
    folder.write(name, "items:\n  - id: x\n")
    result = folder.run("check")
    lines = result.stderr.splitlines()
    mine = [line for line in lines[:-1] if line.startswith(f"{shown}:2:5: error: ")]
    assert len(mine) == 2 and len(lines) == 3, lines  # two errors, each on its own line, and the count
    for line in mine:
        match = DIAGNOSTIC_LINE.fullmatch(line)
        assert match is not None and unquoted_path(match["path"]) == f"cards/{name}"


def test_a_file_name_that_is_not_utf8_is_refused(folder: CardsFolder) -> None:
    path = os.fsencode(folder.cards) + b"/caf\xe9.yaml"
    try:
        with open(path, "wb") as file:
            file.write(ITEM.encode())
    except OSError:
        pytest.skip("this filesystem takes only UTF-8 names")
    for command in ("check", "build"):
        assert _errors(folder, command) == [
            '"cards/caf\\351.yaml": error: the file\'s name is not valid UTF-8 (byte 0xe9); rename it'
        ]
