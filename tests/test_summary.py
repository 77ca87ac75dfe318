"""Readable output at scale (issue 15): `build` and `watch` print the first few warnings of each
kind and then a count per kind; errors are never summarised away; `check` lists everything
unless asked for `--summary`; a first build says what it built."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from studydeck.diagnostics import SHOWN_PER_KIND, Diagnostic, Location, Severity, diagnostic_kind, summarise

from helpers import CardsFolder, diagnostics_printed

UNITLESS = "dosing item has no number with a unit (mg, g/kg, ml, %, …) [dosing-unit]"


def unitless_items(count: int, prefix: str = "dose") -> str:
    items = "".join(
        f"  - id: {prefix}-{n}\n    category: dosing\n    q: How is drug {prefix} {n} dosed?\n    a: By weight\n"
        for n in range(count)
    )
    return "source: src\nitems:\n" + items


def test_kinds_leave_out_quoted_values_and_numbers_and_follow_rule_names() -> None:
    assert diagnostic_kind("unknown category 'dosage' (did you mean 'dosing'?); choose one of: a, b") == (
        diagnostic_kind("unknown category 'dosge'; choose one of: a, b")
    )
    assert diagnostic_kind("answer has 52 words; keep answers under ~40") == "answer has N words; keep answers under ~N"
    # A card-quality warning that names its rule is of that rule's kind, whatever its particulars.
    assert diagnostic_kind("answer has 52 words [long-answer]") == diagnostic_kind("answer has 61 words [long-answer]")
    assert diagnostic_kind("x is wrong [rule-a]") != diagnostic_kind("x is wrong [rule-b]")


def test_summarise_shows_the_first_of_each_kind_and_every_error() -> None:
    def warning(n: int, message: str) -> Diagnostic:
        return Diagnostic(Location("cards/a.yaml", n, 5), Severity.WARNING, message)

    errors = [Diagnostic(Location("cards/a.yaml", n, 1), Severity.ERROR, f"duplicate id 'x{n}'") for n in range(20)]
    many = [warning(n, UNITLESS) for n in range(12)] + [
        warning(100 + n, f"item 'i{n}' asks the same") for n in range(2)
    ]
    summary = summarise(errors + many)
    assert summary.shown == (*errors, *many[:SHOWN_PER_KIND], *many[12:])
    assert summary.more == ((UNITLESS, 12 - SHOWN_PER_KIND),)
    assert (summary.errors, summary.warnings) == (20, 14)


def test_build_summarises_warnings_per_kind_and_check_lists_them_all(folder: CardsFolder) -> None:
    folder.write("unitless.yaml", unitless_items(12))
    build = folder.run("build")
    assert build.exit_code == 0
    shown = diagnostics_printed(build)
    assert [m["message"] for m in shown] == [UNITLESS] * SHOWN_PER_KIND
    more = f"… and {12 - SHOWN_PER_KIND} more: {UNITLESS}; run studydeck check to list them all"
    assert more in build.stderr.splitlines()
    assert "Built build/test-deck.apkg: 15 notes" in build.stdout

    # An unchanged build replays the same summary (recorded by the build, not made again).
    again = folder.run("build")
    assert "No changes since the last build." in again.stdout
    assert again.stderr == build.stderr

    check = folder.run("check")
    assert [m["message"] for m in diagnostics_printed(check)] == [UNITLESS] * 12
    assert "OK: no errors, 12 warning(s)." in check.stdout
    summary = folder.run("check", "--summary")
    assert summary.stderr == build.stderr
    assert "OK: no errors, 12 warning(s)." in summary.stdout


def test_errors_are_never_summarised_away(folder: CardsFolder) -> None:
    bad = "".join(f"  - id: bad-{n}\n    category: dosage\n    q: Q {n}?\n    a: {n} mg\n" for n in range(9))
    folder.write("bad.yaml", "source: src\nitems:\n" + bad)
    folder.write("unitless.yaml", unitless_items(8))
    for command in (("build",), ("build", "--strict"), ("check", "--summary")):
        result = folder.run(*command)
        assert result.exit_code == 1
        printed = diagnostics_printed(result)
        assert sum(m["severity"] == "error" for m in printed) == 9, command
        assert sum(m["severity"] == "warning" for m in printed) == SHOWN_PER_KIND, command
        assert "9 error(s), 8 warning(s); nothing was written." in result.stderr


def test_strict_build_failing_on_warnings_summarises_them(folder: CardsFolder) -> None:
    folder.write("unitless.yaml", unitless_items(8))
    result = folder.run("build", "--strict")
    assert result.exit_code == 1
    assert len(diagnostics_printed(result)) == SHOWN_PER_KIND
    assert f"… and 3 more: {UNITLESS}; run studydeck check to list them all" in result.stderr
    assert "0 error(s), 8 warning(s); nothing was written." in result.stderr


def test_the_first_build_says_what_it_built(folder: CardsFolder, tmp_path: Path) -> None:
    first = folder.run("build")
    assert "Built build/test-deck.apkg: 3 notes, 5 cards." in first.stdout
    assert "Items: 3 added." in first.stdout

    # A fresh clone: the committed lockfile already matches the cards, and build/ is not there.
    clone = CardsFolder(tmp_path / "clone")
    shutil.copytree(folder.cards, clone.cards)
    built = clone.run("build")
    assert built.exit_code == 0
    lines = built.stdout.splitlines()
    assert lines[0] == "Built build/test-deck.apkg: 3 notes, 5 cards."
    assert lines[1].startswith("Printouts: build/test-deck-quiz.pdf")
    assert lines[-1] == "First build here: built from an up-to-date lockfile (no item changed since it was written)."
    assert "No changes since the last build." not in built.stdout

    assert clone.run("build").stdout.splitlines()[-1] == "No changes since the last build."
    clone.package.unlink()
    assert clone.run("build").stdout.splitlines()[-1] == "No changes since the last build."


def test_an_unchanged_build_replays_the_summary_without_decoding_the_warnings(
    folder: CardsFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15: 8,750 warnings cost a no-op half a second when each was formatted again."""
    from studydeck.engine.state import RecordedWarnings

    folder.write("unitless.yaml", unitless_items(12))
    built = folder.run("build")

    def refuse(self: RecordedWarnings) -> None:
        raise AssertionError("an unchanged build decoded every warning")

    monkeypatch.setattr(RecordedWarnings, "_all", refuse)
    again = folder.run("build")
    assert again.exit_code == 0 and "No changes since the last build." in again.stdout
    assert again.stderr == built.stderr
    assert len(folder.build().warnings) == 12  # (counted without decoding them, too)
