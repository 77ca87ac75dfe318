from __future__ import annotations

from pathlib import Path

import click

from studydeck import api
from studydeck.cli.options import cards_option
from studydeck.cli.progress import file_tracker
from studydeck.cli.report import print_diagnostics


@click.command("check")
@cards_option
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
def check_command(cards_dir: Path, strict: bool) -> None:
    """Validate the cards without writing anything.

    \b
    Example:
        studydeck check --strict
    """
    warnings = api.check(cards_dir, strict=strict, track=file_tracker("Checking cards"))
    print_diagnostics(warnings)
    suffix = f", {len(warnings)} warning(s)" if warnings else ""
    click.echo(f"OK: no errors{suffix}.")
