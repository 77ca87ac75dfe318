"""How results are shown on the terminal."""

from __future__ import annotations

from collections.abc import Iterable

import click

from studydeck.anki.search import notes_search
from studydeck.diagnostics import Diagnostic, Severity
from studydeck.model import ChangeReport


def print_diagnostics(diagnostics: Iterable[Diagnostic], *, failed: bool = False) -> None:
    """One `path:line:col: error: message` line each, on stderr, then a count if the run failed
    (on errors, or on warnings alone under --strict)."""
    diagnostics = list(diagnostics)
    for d in diagnostics:
        colour = "red" if d.severity is Severity.ERROR else "yellow"
        click.echo(click.style(str(d), fg=colour), err=True)
    errors = sum(1 for d in diagnostics if d.severity is Severity.ERROR)
    if errors or failed:
        click.echo(f"{errors} error(s), {len(diagnostics) - errors} warning(s); nothing was written.", err=True)


#: Per kind of change, list this many ids and summarise the rest (a first build adds thousands).
MAX_LISTED = 25


def _listed(lines: list[str]) -> None:
    for line in lines[:MAX_LISTED]:
        click.echo(line)
    if len(lines) > MAX_LISTED:
        click.echo(f"  … and {len(lines) - MAX_LISTED} more")


def print_report(report: ChangeReport) -> None:
    """What changed since the last build, and what the learner must do by hand in Anki."""
    if report.is_empty:
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
