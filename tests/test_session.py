"""A build session (what `watch` keeps between saves) writes exactly what one-shot builds write
(issue 15): after every edit, rename, deletion and bad edit, and whatever changed behind its
back. Each step compares the session's outputs byte for byte with a cold one-shot build of
the same cards and lockfile (no cache, empty output folder)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from studydeck import api
from studydeck.diagnostics import ContentError
from studydeck.engine.index import INDEX_FILE
from studydeck.engine.session import BuildSession
from studydeck.engine.state import STATE_FILE

from helpers import CardsFolder

MORE_YAML = """\
deck: Prognosis
source: src
items:
  - id: cidp-course
    category: prognosis
    q: Which CIDP course has the better prognosis?
    a: Relapsing-remitting
"""


def outputs(folder: CardsFolder) -> dict[str, bytes]:
    files = [p for p in folder.out.iterdir() if p.is_file() and not p.name.startswith(".")]
    return {p.name: p.read_bytes() for p in sorted(files)} | {"lock": folder.lockfile.read_bytes()}


class Scenario:
    """A session on a folder, and a step that changes the folder, builds, and compares with a cold build."""

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.tmp_path, self.monkeypatch = tmp_path, monkeypatch
        monkeypatch.setenv("STUDYDECK_CACHE_DIR", str(tmp_path / "cache"))
        self.folder = CardsFolder.example(tmp_path / "project")
        self.folder.write("more/prognosis.yaml", MORE_YAML)
        self.session = api.build_session(self.folder.cards, self.folder.out)
        self.now = 1_750_000_000.0
        self.steps = 0

    def step(self, change: Callable[[], object]) -> api.BuildResult:
        """Change the folder, build in the session, and check that a cold build agrees."""
        change()
        self.steps += 1
        self.now += 100
        cold = CardsFolder(self.tmp_path / f"cold-{self.steps}")
        shutil.copytree(self.folder.cards, cold.cards)  # the cards and lockfile as the session finds them
        result = self.session.build(now=self.now)
        with self.monkeypatch.context() as m:
            m.setenv("STUDYDECK_CACHE_DIR", "")
            cold_result = cold.build(now=self.now)
        assert outputs(self.folder) == outputs(cold)
        assert (result.note_count, result.card_count, result.report) == (
            cold_result.note_count,
            cold_result.card_count,
            cold_result.report,
        )
        return result


@pytest.fixture
def scenario(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Scenario:
    scenario = Scenario(tmp_path, monkeypatch)
    scenario.step(lambda: None)
    return scenario


def test_a_session_writes_what_one_shot_builds_write_after_a_series_of_edits(scenario: Scenario) -> None:
    folder = scenario.folder
    remembered = scenario.session.remembered
    assert remembered is not None and remembered.index is not None, "the session keeps the state and the index"

    result = scenario.step(lambda: folder.edit("drugs.yaml", "for 5 days.", "for 5 days (2 g/kg)."))
    assert result.report.changed == ("ivig-dose",)
    scenario.step(lambda: (folder.cards / "more" / "prognosis.yaml").rename(folder.cards / "prognosis.yml"))
    scenario.step(
        lambda: folder.write("new.yaml", MORE_YAML.replace("cidp-course", "cidp-new").replace("Which", "What"))
    )
    result = scenario.step(lambda: (folder.cards / "prognosis.yml").unlink())
    assert result.report.removed == ("cidp-course",)
    scenario.step(lambda: folder.edit("deck.yaml", "A deck for tests", "A deck for tests, revised"))

    # A bad edit: nothing is written, and the session still knows the last good build.
    before = folder.snapshot()
    folder.edit("drugs.yaml", "category: dosing", "category: dosage")
    with pytest.raises(ContentError, match="unknown category 'dosage'"):
        scenario.session.build(now=scenario.now + 50)
    assert folder.snapshot() == before
    result = scenario.step(lambda: folder.edit("drugs.yaml", "category: dosage", "category: dosing"))
    assert result.report.is_empty

    # Nothing changed: nothing is written, and the session replays the result.
    result = scenario.session.build(now=scenario.now + 50)
    assert result.written == () and folder.snapshot() == before


def test_a_session_sees_what_changed_behind_its_back(scenario: Scenario, tmp_path: Path) -> None:
    folder = scenario.folder
    saved_lock = folder.lockfile.read_bytes()
    scenario.step(lambda: folder.edit("drugs.yaml", "Immunoglobulins", "Immune globulins"))

    # Another `studydeck build` rewrote the state, the index and the working collection.
    def one_shot_build() -> None:
        folder.edit("drugs.yaml", "Immune globulins", "Immunoglobulin G")
        folder.build(now=scenario.now + 50)
        folder.edit("drugs.yaml", "Which class", "Which drug class")

    scenario.step(one_shot_build)

    # Outputs deleted or edited, the state and index deleted, the lockfile restored from git.
    scenario.step(lambda: folder.package.unlink())
    scenario.step(lambda: folder.package.write_bytes(b"not a package"))
    scenario.step(lambda: [(folder.out / name).unlink() for name in (STATE_FILE, INDEX_FILE)])
    scenario.step(lambda: folder.lockfile.write_bytes(saved_lock))

    # A card file edited with its size and modification time put back: its change time moved.
    path = folder.cards / "drugs.yaml"
    info = path.stat()
    text = path.read_text().replace("0.4 g/kg", "0.5 g/kg")

    def sneaky_edit() -> None:
        path.write_text(text)
        os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))

    result = scenario.step(sneaky_edit)
    assert result.report.changed == ("ivig-dose",)


def test_the_one_shot_build_is_a_session_that_builds_once(folder: CardsFolder, monkeypatch: pytest.MonkeyPatch) -> None:
    """One build path: `api.build` runs exactly the session's build."""
    made: list[BuildSession] = []
    build = BuildSession.build

    def spy(self: BuildSession, **kwargs: object) -> api.BuildResult:
        made.append(self)
        return build(self, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(BuildSession, "build", spy)
    folder.build()
    assert len(made) == 1
