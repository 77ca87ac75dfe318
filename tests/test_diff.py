"""`studydeck diff`: items added, changed (old → new), removed and moved, since a revision or the last build."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from studydeck.authoring.diff import FieldChange, diff_since_build, diff_since_revision

from helpers import CardsFolder

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(cwd: Path, *args: str) -> None:
    identity = ("-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false")
    subprocess.run(["git", *identity, *args], cwd=cwd, check=True, capture_output=True)


ANSWER_EDIT = FieldChange("a", "0.4 g/kg per day IV for 5 days.", "0.4 g/kg per day IV for 5 days (2 g/kg).")


def edit_everything(folder: CardsFolder) -> None:
    """Change an answer, add an item, remove one and move one to another subdeck."""
    folder.edit("drugs.yaml", "0.4 g/kg per day IV for 5 days.", "0.4 g/kg per day IV for 5 days (2 g/kg).")
    new_item = "  - id: ivig-new\n    category: indication\n    q: Use?\n    a: CIDP\n"
    folder.edit("drugs.yaml", "  - id: ivig-brand\n", new_item + "  - id: ivig-brand\n")
    text = (folder.cards / "drugs.yaml").read_text()
    brand = text[text.index("  - id: ivig-brand") : text.index("  - id: cidp-remission")]
    (folder.cards / "drugs.yaml").write_text(text.split("  - id: ivig-brand")[0])  # removes the cloze item too
    folder.write("moved.yaml", "deck: Classes\nsource: src\ntags: [ivig]\nitems:\n" + brand)


@pytest.fixture
def repo(tmp_path: Path) -> CardsFolder:
    """A git repository whose cards folder sits in a subfolder, committed once."""
    folder = CardsFolder.example(tmp_path / "decks")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "cards")
    return folder


def test_diff_since_a_revision_compares_item_by_item(repo: CardsFolder) -> None:
    edit_everything(repo)
    diff = diff_since_revision(repo.cards, "HEAD")
    assert [item.id for item in diff.added] == ["ivig-new"]
    assert [(c.item.id, c.fields) for c in diff.changed] == [("ivig-dose", (ANSWER_EDIT,))]
    assert [(r.id, r.item and r.item.cloze[:8]) for r in diff.removed] == [("cidp-remission", "About {{")]
    assert [(m.id, m.old_deck, m.new_deck) for m in diff.moved] == [
        ("ivig-brand", "Test deck::Drugs::Immunoglobulin", "Test deck::Classes")
    ]


def test_diff_command_prints_old_and_new_text(repo: CardsFolder) -> None:
    edit_everything(repo)
    result = repo.run("diff", "HEAD")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Changes since HEAD:"
    assert "  added    ivig-new  Use?" in lines
    assert "  changed  ivig-dose" in lines
    assert "      a: 0.4 g/kg per day IV for 5 days." in lines
    assert "       → 0.4 g/kg per day IV for 5 days (2 g/kg)." in lines
    assert any(line.startswith("  removed  cidp-remission  About {{c1::90%}}") for line in lines)
    assert "  moved    ivig-brand: Test deck::Drugs::Immunoglobulin → Test deck::Classes" in lines
    assert lines[-1] == "Items: 1 added, 1 changed, 1 removed, 1 moved."


def test_diff_since_the_last_build_takes_old_text_from_git_when_it_matches(repo: CardsFolder) -> None:
    repo.build()
    git(repo.root.parent, "add", ".")
    git(repo.root.parent, "commit", "-q", "-m", "built")
    assert repo.run("diff").output == "No changes since the last build.\n"
    edit_everything(repo)
    diff = diff_since_build(repo.cards)
    assert diff.base == "the last build"
    assert [item.id for item in diff.added] == ["ivig-new"]
    assert [(c.item.id, c.fields) for c in diff.changed] == [("ivig-dose", (ANSWER_EDIT,))]
    assert [(r.id, r.item is not None) for r in diff.removed] == [("cidp-remission", True)]
    assert [m.id for m in diff.moved] == ["ivig-brand"]
    assert diff.unknown_old_text is None


def test_diff_since_the_last_build_without_git_still_lists_the_items(folder: CardsFolder) -> None:
    folder.build()
    edit_everything(folder)
    result = folder.run("diff")
    assert result.exit_code == 0, result.output
    assert "  changed  ivig-dose" in result.output
    assert "      (old text unknown)" in result.output
    assert "  removed  cidp-remission  (old text unknown)" in result.output
    assert "Some old texts are unknown:" in result.output


def test_diff_reports_a_bad_revision_as_a_usage_error(repo: CardsFolder) -> None:
    result = repo.run("diff", "no-such-tag")
    assert result.exit_code == 2
    assert "unknown git revision 'no-such-tag'" in result.stderr
    assert "Traceback" not in result.output


def test_errors_in_the_old_cards_are_located_at_the_revision(repo: CardsFolder) -> None:
    repo.edit("drugs.yaml", "category: dosing", "category: dosage")
    git(repo.root.parent, "commit", "-q", "-am", "typo")
    repo.edit("drugs.yaml", "category: dosage", "category: dosing")
    result = repo.run("diff", "HEAD")
    assert result.exit_code == 1
    assert "HEAD:decks/cards/drugs.yaml:6:15: error: unknown category 'dosage'" in result.stderr
