from __future__ import annotations

import signal
import time
from pathlib import Path

import click

from studydeck import api
from studydeck.cli.options import cards_option, out_option
from studydeck.cli.progress import file_tracker
from studydeck.cli.report import print_build, print_diagnostics
from studydeck.diagnostics import ContentError, OutputError, display_path


@click.command("watch")
@cards_option
@out_option
def watch_command(cards_dir: Path, out_dir: Path) -> None:
    """Build, then rebuild after every save below the cards folder, printing what
    changed or what is wrong. A bad edit never stops it; Ctrl-C does.

    \b
    Example:
        studydeck watch --cards cards --out build
    """
    # Ctrl-C and SIGTERM both stop it cleanly, even when it was started with SIGINT ignored
    # (as background jobs and some CI runners start programs).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    # One session for the whole watch: each rebuild is exactly `studydeck build` (the same
    # engine, the same files), but what the next one needs stays in memory.
    session = api.build_session(cards_dir, out_dir)
    try:
        for rebuilds, changed in enumerate(api.watch(cards_dir, ignore=[out_dir])):
            if rebuilds:
                names = ", ".join(display_path(str(path)) for path in changed)
                click.secho(f"\n[{time.strftime('%H:%M:%S')}] changed: {names}", bold=True)
            try:
                print_build(session.build(track=file_tracker("Reading cards")))
            except ContentError as exc:
                print_diagnostics(exc.diagnostics, summary=True)
            except OutputError as exc:
                from studydeck.cli import print_output_error

                print_output_error(exc)
            if not rebuilds:
                click.echo(f"Watching {display_path(str(cards_dir))} for changes; press Ctrl-C to stop.")
    except KeyboardInterrupt:  # Ctrl-C during a build: the build's outputs are atomic, nothing is half-written
        pass
    click.echo("Stopped watching.")
