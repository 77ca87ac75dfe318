from __future__ import annotations

from pathlib import Path

import click

from studydeck import api
from studydeck.cli.options import cards_option
from studydeck.cli.progress import file_tracker
from studydeck.cli.report import SUMMARY, print_diagnostics


@click.command("check")
@cards_option
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@click.option(
    "--summary",
    is_flag=True,
    help="Print the first few warnings of each kind, then a count per kind (as build does); errors are all listed.",
)
def check_command(cards_dir: Path, strict: bool, summary: bool) -> None:
    """Validate the cards without writing anything; every problem is listed, one per line.

    \b
    Example:
        studydeck check --strict
        studydeck check --summary
    """
    click.get_current_context().meta[SUMMARY] = summary  # (errors, raised, are printed by the group)
    warnings = api.check(cards_dir, strict=strict, track=file_tracker("Checking cards"))
    print_diagnostics(warnings, summary=summary)
    suffix = f", {len(warnings)} warning(s)" if warnings else ""
    click.echo(f"OK: no errors{suffix}.")
