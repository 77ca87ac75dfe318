"""Where outputs may go (issue 16): never inside the cards folder, never over a file of another kind.

`studydeck cards --out cards/a.yaml` once replaced a card file with PDF bytes, because `quiz`
added `.pdf` to its --out and `cards` did not. Every command that writes a path the user
names goes through one rule (outputs.py); these tests cover every such command, found by
asking the CLI itself which commands have an --out option.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import click
import pytest

from studydeck import api
from studydeck.cli import cli
from studydeck.outputs import OutputPathError

from helpers import CardsFolder

#: Each command that writes a path named by --out, with the arguments it needs besides.
FILE_COMMANDS = {
    "quiz": [],
    "cards": [],
    "export": ["--format", "csv"],
}
FOLDER_COMMANDS = {"build": [], "watch": []}
#: Commands whose --out names the build folder they read from, and which write nothing there.
READ_ONLY_OUT = {"apply"}


def test_every_command_with_an_out_option_is_covered() -> None:
    ctx = click.Context(cli)
    with_out = {
        name
        for name in cli.list_commands(ctx)
        if any("--out" in param.opts for param in cli.get_command(ctx, name).params)  # type: ignore[union-attr]
    }
    assert with_out == set(FILE_COMMANDS) | set(FOLDER_COMMANDS) | READ_ONLY_OUT


def _cards_digest(folder: CardsFolder) -> dict[str, str]:
    """Every file in the cards folder, by content: nothing may be added, replaced or removed."""
    return {
        str(p.relative_to(folder.cards)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.cards.rglob("*"))
        if p.is_file()
    }


def _refused(folder: CardsFolder, *args: str, message: str) -> str:
    before = _cards_digest(folder)
    result = folder.run(*args)
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--out'" in result.stderr and message in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert _cards_digest(folder) == before, "the cards folder changed"
    return result.stderr


def _link_to_cards(folder: CardsFolder) -> None:
    (folder.root / "linked").symlink_to(folder.cards, target_is_directory=True)


INSIDE_FILES = [
    "cards/drugs.yaml",  # an existing card file, under its own name
    "cards/new.yaml",
    "cards/studydeck.lock",
    "cards/deep/er/sheet.pdf",
    "cards/../cards/sheet.pdf",
    "./cards/sheet",
    "linked/drugs.yaml",  # a symbolic link to the cards folder
]


@pytest.mark.parametrize("command", sorted(FILE_COMMANDS))
@pytest.mark.parametrize("out", INSIDE_FILES)
def test_no_output_file_lands_inside_the_cards_folder(built: CardsFolder, command: str, out: str) -> None:
    _link_to_cards(built)
    built.run("build")  # (the lockfile as the build leaves it)
    _refused(built, command, *FILE_COMMANDS[command], "--out", out, message="inside the cards folder 'cards'")


@pytest.mark.parametrize("command", sorted(FOLDER_COMMANDS))
@pytest.mark.parametrize("out", ["cards", "./cards/", "cards/build", "cards/../cards", "linked", "linked/out"])
def test_no_output_folder_is_or_lies_inside_the_cards_folder(built: CardsFolder, command: str, out: str) -> None:
    _link_to_cards(built)
    before = built.snapshot()
    _refused(built, command, "--out", out, message="cards folder")
    assert built.snapshot() == before
    assert not (built.cards / "build").exists()


def test_the_cards_folder_through_a_link_to_its_parent(built: CardsFolder, tmp_path: Path) -> None:
    (tmp_path / "up").symlink_to(built.root, target_is_directory=True)
    _refused(built, "cards", "--out", str(tmp_path / "up" / "cards" / "x.pdf"), message="inside the cards folder")


def test_the_cards_folder_is_recognised_by_identity_too(built: CardsFolder, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where resolving cannot tell two spellings apart (a case-insensitive disk, a second mount),
    the folder's identity does: simulated here by a resolve() that sees through nothing."""
    monkeypatch.setattr(Path, "resolve", Path.absolute)
    (built.root / "again").symlink_to(built.cards, target_is_directory=True)
    _refused(built, "cards", "--out", "again/x.pdf", message="inside the cards folder")
    _refused(built, "build", "--out", "again", message="is the cards folder")


@pytest.mark.parametrize(
    ("command", "out", "written"),
    [
        ("cards", "a.yaml", "a.yaml.pdf"),
        ("cards", "notes", "notes.pdf"),
        ("cards", "fc.PDF", "fc.PDF"),
        ("quiz", "a.yaml", "a.yaml.pdf"),
        ("quiz", "sheet", "sheet.pdf"),
        ("export", "a.yaml", "a.yaml.csv"),
        ("export", "table.csv", "table.csv"),
    ],
)
def test_outputs_get_their_proper_suffix(built: CardsFolder, command: str, out: str, written: str) -> None:
    """A file of another kind beside the cards folder is never replaced: the output gets its suffix."""
    precious = built.root / out
    precious.write_text("items: []  # someone's work\n")
    result = built.run(command, *FILE_COMMANDS[command], "--out", out)
    assert result.exit_code == 0, result.output
    if written != out:
        assert precious.read_text() == "items: []  # someone's work\n"
    assert (built.root / written).stat().st_size > 100
    assert written in result.output  # the message names the file really written


@pytest.mark.parametrize("command", sorted(FILE_COMMANDS) + sorted(FOLDER_COMMANDS))
@pytest.mark.parametrize("out", ["", " "])
def test_an_empty_out_is_a_usage_error(built: CardsFolder, command: str, out: str) -> None:
    """`--out ''` (an unset variable, say) names nothing: it is not the current folder (issue 16, item 12)."""
    args = [*FILE_COMMANDS.get(command, []), *FOLDER_COMMANDS.get(command, [])]
    before = built.snapshot()
    _refused(built, command, *args, "--out", out, message="'' is empty: name the file or folder to write")
    assert built.snapshot() == before and not list(built.root.glob("*.pdf")) and not list(built.root.glob("*.apkg"))


@pytest.mark.parametrize("command", sorted(FILE_COMMANDS) + sorted(FOLDER_COMMANDS))
def test_a_device_as_out_is_a_usage_error(built: CardsFolder, command: str) -> None:
    """`quiz --out /dev/null` wrote /dev/null.pdf (issue 16, item 19): a device, pipe or socket
    is refused before any suffix is added."""
    args = [*FILE_COMMANDS.get(command, []), *FOLDER_COMMANDS.get(command, [])]
    try:
        message = "is a device, not a folder" if command in FOLDER_COMMANDS else "is a device, not a regular file"
        _refused(built, command, *args, "--out", os.devnull, message=f"{os.devnull!r} {message}")
        assert not list(Path(os.devnull).parent.glob("null?*"))
    finally:
        for stray in Path(os.devnull).parent.glob("null?*"):  # (what the old code wrote, when run as root)
            stray.unlink()


@pytest.mark.parametrize("command", sorted(FILE_COMMANDS))
def test_a_folder_out_is_a_usage_error(built: CardsFolder, command: str) -> None:
    (built.root / "taken.pdf").mkdir()
    (built.root / "taken.csv").mkdir()
    _refused(built, command, *FILE_COMMANDS[command], "--out", "taken", message="'taken.")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
@pytest.mark.parametrize("command", sorted(FILE_COMMANDS))
def test_an_out_that_is_not_a_regular_file_is_a_usage_error(built: CardsFolder, command: str) -> None:
    os.mkfifo(built.root / "pipe.pdf")
    os.mkfifo(built.root / "pipe.csv")
    _refused(built, command, *FILE_COMMANDS[command], "--out", "pipe", message="is not a regular file")
    _refused(built, command, *FILE_COMMANDS[command], "--out", "pipe.pdf", message="'pipe.pdf' is a pipe")


def test_the_api_keeps_the_same_rule(built: CardsFolder) -> None:
    before = _cards_digest(built)
    with pytest.raises(OutputPathError, match="inside the cards folder"):
        api.flashcards(built.cards, built.cards / "drugs.yaml")
    with pytest.raises(OutputPathError, match="inside the cards folder"):
        api.quiz(built.cards, built.cards / "sub" / "quiz.pdf", versions=3)
    with pytest.raises(OutputPathError, match="the cards folder"):
        api.build(built.cards, built.cards)
    assert _cards_digest(built) == before
    assert api.flashcards(built.cards, built.root / "fc").file == built.root / "fc.pdf"


def test_outputs_beside_the_cards_folder_are_fine(built: CardsFolder) -> None:
    """`--out .` next to `cards/`, and a folder whose name starts like it, are outside it."""
    for out in (".", "cards-out", "car"):
        result = built.run("build", "--out", out)
        assert result.exit_code == 0, result.output
    assert (built.root / "test-deck.apkg").is_file() and (built.root / "car" / "test-deck.apkg").is_file()
