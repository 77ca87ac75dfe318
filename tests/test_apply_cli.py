"""`studydeck apply` as a command: finding the collection and the package, usage errors, the
optional `anki` dependency, and what `build` now says about apply."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from studydeck.apply.profiles import anki_base, profile_collection

from anki_backend import new_collection
from helpers import CardsFolder


@pytest.mark.parametrize(
    ("platform", "environ", "expected"),
    [
        ("linux", {"HOME": "/home/ada"}, "/home/ada/.local/share/Anki2"),
        ("linux", {"HOME": "/home/ada", "XDG_DATA_HOME": "/data/ada"}, "/data/ada/Anki2"),
        ("darwin", {"HOME": "/Users/ada"}, "/Users/ada/Library/Application Support/Anki2"),
        ("win32", {"APPDATA": "C:/Users/ada/AppData/Roaming"}, "C:/Users/ada/AppData/Roaming/Anki2"),
        ("linux", {"HOME": "/home/ada", "ANKI_BASE": "/portable/anki"}, "/portable/anki"),
    ],
)
def test_ankis_data_folder_is_found_as_anki_finds_it(platform: str, environ: dict[str, str], expected: str) -> None:
    assert anki_base(environ, platform) == Path(expected)


def test_profile_finds_the_collection_in_ankis_data_folder(
    folder: CardsFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("ANKI_BASE", raising=False)
    profile = home / ".local" / "share" / "Anki2" / "User 1"
    new_collection(profile).close()
    assert profile_collection("User 1") == profile / "collection.anki2"
    folder.build()

    result = folder.run("apply", "--profile", "User 1")  # the author's case: the package in build/
    assert result.exit_code == 0, result.output
    assert f"into {profile / 'collection.anki2'}:" in result.output
    assert "  added       ivig-dose" in result.output.splitlines()
    assert (profile / "backups").is_dir()

    missing = folder.run("apply", "--profile", "User 2")
    assert missing.exit_code == 1
    assert missing.stderr == (
        f"error: no Anki profile 'User 2' in {home / '.local/share/Anki2'} (profiles there: User 1); "
        "or give the file with --collection\n"
    )
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "elsewhere"))
    assert "(no profiles there)" in folder.run("apply", "--profile", "User 1").stderr


def test_the_profile_folder_does_as_well_as_its_collection(folder: CardsFolder, tmp_path: Path) -> None:
    new_collection(tmp_path / "User 1").close()
    folder.build()
    result = folder.run("apply", "--collection", str(tmp_path / "User 1"), "--dry-run")
    assert result.exit_code == 0, result.output
    plan = "3 added, 2 note types added or updated, 2 decks added"
    assert f"Dry run, nothing was changed. The plan: {plan}." in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give the collection to change: --collection PATH or --profile NAME (one of them)"),
        (("--collection", "c.anki2", "--profile", "p"), "one of them"),
        (("--keep-everything",), "No such option '--keep-everything'. Did you mean '--keep-removed'?"),
    ],
)
def test_usage_errors_exit_2(folder: CardsFolder, args: tuple[str, ...], message: str) -> None:
    result = folder.run("apply", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_without_a_build_the_default_package_is_explained(folder: CardsFolder, tmp_path: Path) -> None:
    new_collection(tmp_path / "profile").close()
    result = folder.run("apply", "--collection", str(tmp_path / "profile" / "collection.anki2"))
    assert result.exit_code == 1
    assert result.stderr == (
        "error: no PACKAGE given, and cards was never built: run `studydeck build`, or give PACKAGE\n"
    )


HIDE_ANKI = "import sys; sys.modules['anki'] = None; from studydeck.cli import main; main()"


def test_without_the_anki_package_apply_says_how_to_install_it(built: CardsFolder, tmp_path: Path) -> None:
    new_collection(tmp_path / "profile").close()
    result = subprocess.run(
        [sys.executable, "-c", HIDE_ANKI, "apply", "--collection", str(tmp_path / "profile")],
        cwd=built.root,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stderr == (
        "error: studydeck apply needs Anki's backend, the anki package: "
        "install it with `pip install 'studydeck[anki]'`\n"
    )


def test_other_commands_do_not_load_anki(folder: CardsFolder) -> None:
    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom studydeck.cli import cli\n"
        "for args in (['build'], ['check'], ['apply', '--help']):\n"
        "    assert CliRunner().invoke(cli, args).exit_code == 0, args\n"
        "print(sorted(m for m in sys.modules if m == 'anki' or m.startswith('anki.')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=folder.root, capture_output=True, text=True, env=os.environ)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "[]\n"


def test_build_names_apply_first_for_removals_and_moves(built: CardsFolder) -> None:
    built.edit("drugs.yaml", "  - id: ivig-brand", "  - id: ivig-brand-2")
    built.edit("drugs.yaml", "deck: Drugs::Immunoglobulin", "deck: Drugs")
    result = built.run("build")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    removal = lines.index(
        "Anki never deletes notes on import: `studydeck apply --profile NAME` (or --collection PATH) does;"
    )
    assert lines[removal + 1] == "or by hand: search in Anki's browser for"
    move = lines.index(
        "Anki never moves existing cards on import: `studydeck apply --profile NAME` (or --collection PATH) does;"
    )
    assert lines[move + 1] == "or by hand: search in Anki's browser for"


def test_apply_does_not_import_the_build_engine() -> None:
    """What apply needs from a build is inside the package (studydeck/apply/__init__.py)."""
    code = "import json, sys, studydeck.apply.run\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    loaded = set(json.loads(done.stdout))
    engine = {name for name in loaded if name.startswith("studydeck.engine") or name == "click"}
    assert not engine, engine
    assert "studydeck.apply.collection" in loaded and "anki" not in loaded  # anki: only when a run opens one
