"""The authoring commands as installed: the console script, colour rules, shell completion, progress bars."""

from __future__ import annotations

import io
import json
import os
import pty
import select
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from studydeck.cli import cli, progress
from test_watch import studydeck_command

from helpers import CardsFolder


def run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*studydeck_command(), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_installed_command_runs_the_authoring_workflow(tmp_path: Path) -> None:
    created = run(tmp_path, "init", "notes", "--name", "Notes")
    assert created.returncode == 0, created.stderr
    assert "Next: edit the cards, then run: cd notes && studydeck build" in created.stdout
    project = tmp_path / "notes"
    assert run(project, "build").returncode == 0

    stats = run(project, "stats", "--json")
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["items"] == 2

    (project / "cards" / "example.yaml").write_text(
        (project / "cards" / "example.yaml").read_text().replace("one or more parts", "a part")
    )
    diff = run(project, "diff")
    assert diff.returncode == 0, diff.stderr
    assert "  changed  example-cloze" in diff.stdout
    assert "\x1b[" not in diff.stdout  # piped: plain text

    exported = run(project, "export", "--format", "json")
    assert exported.returncode == 0, exported.stderr
    assert [item["id"] for item in json.loads(exported.stdout)["items"]] == ["example-basic", "example-cloze"]

    for command in ("init", "watch", "stats", "diff", "export"):
        helped = run(project, command, "--help")
        assert helped.returncode == 0 and "Example" in helped.stdout, command


def test_shell_completion_script_and_completions(tmp_path: Path) -> None:
    script = run(tmp_path, env={"_STUDYDECK_COMPLETE": "bash_source"})
    assert script.returncode == 0
    assert "_studydeck_completion" in script.stdout
    words = run(tmp_path, env={"_STUDYDECK_COMPLETE": "bash_complete", "COMP_WORDS": "studydeck ex", "COMP_CWORD": "1"})
    assert words.stdout.split() == ["plain,export"]


def test_colour_on_a_terminal_unless_no_color(folder: CardsFolder, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(folder.root)
    coloured = CliRunner().invoke(cli, ["stats"], color=True)
    assert "\x1b[1m" in coloured.output  # bold headings
    monkeypatch.setenv("NO_COLOR", "1")
    plain = CliRunner().invoke(cli, ["stats"], color=True)
    assert plain.exit_code == 0
    assert "\x1b[" not in plain.output
    assert plain.output.splitlines()[0] == "Test deck: 3 items (2 basic, 1 cloze)"


def test_progress_bar_appears_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "SHOW_AFTER_SECONDS", 0.0)  # as if the work had been slow from the start
    piped = io.StringIO()
    monkeypatch.setattr("sys.stderr", piped)
    assert list(progress.progress(range(5), "Exporting")) == [0, 1, 2, 3, 4]
    assert piped.getvalue() == ""

    controller, terminal = pty.openpty()
    with open(terminal, "w", encoding="utf-8", closefd=True) as tty:
        monkeypatch.setattr("sys.stderr", tty)
        assert list(progress.progress(range(5), "Exporting")) == [0, 1, 2, 3, 4]
    drawn = _read_all(controller)
    os.close(controller)
    assert "Exporting" in drawn and "100%" in drawn


def _read_all(controller: int) -> str:
    """Everything written to a pseudo-terminal: one read may return only part of it."""
    chunks = []
    while select.select([controller], [], [], 0.5)[0]:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal side is closed and drained
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode()
