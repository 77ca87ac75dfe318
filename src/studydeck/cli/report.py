"""How results are shown on the terminal."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import click

from studydeck.anki.search import notes_search
from studydeck.diagnostics import Diagnostic, DiagnosticSummary, Severity, summarise
from studydeck.model import ChangeReport

if TYPE_CHECKING:
    from studydeck.api import BuildResult


#: Set in the click context's `meta` by a command whose failure is printed summarised (`check --summary`).
SUMMARY = "studydeck.summary"


def print_diagnostics(diagnostics: Iterable[Diagnostic], *, failed: bool = False, summary: bool = False) -> None:
    """One `path:line:col: error: message` line each, on stderr, then a count if the run failed
    (on errors, or on warnings alone under --strict). With ``summary``, warnings are
    summarised per kind (`print_summary`); errors never are."""
    diagnostics = list(diagnostics)
    if summary:
        print_summary(summarise(diagnostics), failed=failed)
        return
    for d in diagnostics:
        _echo(d)
    errors = sum(1 for d in diagnostics if d.severity is Severity.ERROR)
    if errors or failed:
        click.echo(f"{errors} error(s), {len(diagnostics) - errors} warning(s); nothing was written.", err=True)


def print_summary(summary: DiagnosticSummary, *, failed: bool = False) -> None:
    """What `build` and `watch` print: every error, the first few warnings of each kind, then one
    line per kind with how many more there are (a large deck's 10,000 warnings would bury the
    report); `studydeck check` lists them all."""
    for d in summary.shown:
        _echo(d)
    for kind, count in summary.more:
        line = f"… and {count:,} more: {kind}; run studydeck check to list them all"
        click.echo(click.style(line, fg="yellow"), err=True)
    if summary.errors or failed:
        click.echo(f"{summary.errors} error(s), {summary.warnings} warning(s); nothing was written.", err=True)


def _echo(d: Diagnostic) -> None:
    colour = "red" if d.severity is Severity.ERROR else "yellow"
    click.echo(click.style(str(d), fg=colour), err=True)


#: Per kind of change, list this many ids and summarise the rest (a first build adds thousands).
MAX_LISTED = 25


def _listed(lines: list[str]) -> None:
    for line in lines[:MAX_LISTED]:
        click.echo(line)
    if len(lines) > MAX_LISTED:
        click.echo(f"  … and {len(lines) - MAX_LISTED} more")


def print_build(result: BuildResult) -> None:
    """What a build made (`build`, and `watch` after every save): its warnings summarised per
    kind, the package and printouts, and what changed."""
    from studydeck.diagnostics import display_path

    print_summary(result.warning_summary)
    click.echo(f"Built {display_path(str(result.package))}: {result.note_count} notes, {result.card_count} cards.")
    if result.printouts:
        click.echo(f"Printouts: {', '.join(display_path(str(p)) for p in result.printouts)}")
    if result.printouts_skipped:
        from studydeck.printing.printouts import MAX_PRINTED_ITEMS

        click.echo(
            f"Printouts: skipped, {result.note_count:,} items are more than a printed sheet should hold "
            f"({MAX_PRINTED_ITEMS:,}); print a selection with `studydeck quiz --deck … --count …`."
        )
    print_report(result.report, first_build=result.first_build)


def print_report(report: ChangeReport, *, first_build: bool = False) -> None:
    """What changed since the last build, and what the learner must do by hand in Anki.

    A first build (a fresh clone: the lockfile already records every item) says so, rather than
    that nothing changed since a build that this folder never saw."""
    if report.is_empty:
        if first_build:
            click.echo("First build here: built from an up-to-date lockfile (no item changed since it was written).")
        else:
            click.echo("No changes since the last build.")
        return
    for label, ids in (("added", report.added), ("changed", report.changed), ("removed", report.removed)):
        _listed([f"  {label:<8} {item_id}" for item_id in ids])
    _listed([f"  moved    {item_id}: {old} → {new}" for item_id, old, new in report.moved])
    for name in report.notetypes_changed:
        click.echo(f"  updated  note type {name!r} (templates or styling)")
    summary = ", ".join(
        f"{len(ids)} {label}"
        for label, ids in (
            ("added", report.added),
            ("changed", report.changed),
            ("removed", report.removed),
            ("moved", report.moved),
        )
        if ids
    )
    if summary:
        click.echo(f"Items: {summary}.")
    removed = set(report.removed)
    if report.removed:
        click.echo(
            "Anki never deletes notes on import: `studydeck apply --profile NAME` (or --collection PATH) does;\n"
            "or by hand: search in Anki's browser for\n"
            f"    {notes_search((i, n) for i, n in report.note_ids if i in removed)}\n"
            "and delete the notes found."
        )
    if report.moved:
        click.echo(
            "Anki never moves existing cards on import: `studydeck apply --profile NAME` (or --collection PATH) does;\n"
            "or by hand: search in Anki's browser for\n"
            f"    {notes_search((i, n) for i, n in report.note_ids if i not in removed)}\n"
            "then use Cards > Change Deck (new learners get the new decks automatically)."
        )
