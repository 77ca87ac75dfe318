"""The `studydeck` command: parses options, calls `studydeck.api`, and prints; one module per command.

Owns: what the terminal shows (`report`, `progress`) and the exit statuses.
Must not import: engine.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from typing import Any

import click

from studydeck import __version__
from studydeck.cli.report import SUMMARY, print_diagnostics
from studydeck.diagnostics import ContentError, OutputError, display_path
from studydeck.outputs import OutputPathError

EXIT_CONTENT = 1  # invalid cards, or an output that could not be written
EXIT_INTERNAL = 3  # a bug in studydeck


#: Each command lives in studydeck.cli.<name>, imported only when that command runs, so
#: `studydeck build` on an unchanged folder does not pay for PDF, export or watch machinery.
COMMANDS = ("build", "check", "quiz", "cards", "lock", "init", "watch", "stats", "diff", "export", "apply")
#: The commands that print the first few warnings of each kind, then a count per kind.
SUMMARISED = ("build", "watch")


class StudydeckGroup(click.Group):
    """Loads commands on demand; turns content and output problems into messages and exit status 1,
    and an output path that must not be written to into a usage error (exit status 2)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        command = getattr(importlib.import_module(f"studydeck.cli.{cmd_name}"), f"{cmd_name}_command")
        assert isinstance(command, click.Command)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        if os.environ.get("NO_COLOR"):  # https://no-color.org; click already drops colour when piped
            ctx.color = False
        try:
            return super().invoke(ctx)
        except OutputPathError as exc:  # a path the user named that studydeck will not write to
            raise click.BadParameter(str(exc), param_hint=f"'{exc.option}'") from exc
        except ContentError as exc:
            # `build` summarises warnings per kind (`build --strict` on a large deck fails on
            # thousands); `check` lists every one, for editors and CI.
            summary = ctx.invoked_subcommand in SUMMARISED or bool(ctx.meta.get(SUMMARY))
            print_diagnostics(exc.diagnostics, failed=True, summary=summary)
            ctx.exit(EXIT_CONTENT)
        except OutputError as exc:
            print_output_error(exc)
            ctx.exit(EXIT_CONTENT)
        except OSError as exc:  # the system refused a read or write, e.g. `studydeck build > /dev/full`
            where = f" ({exc.filename})" if exc.filename else ""
            click.echo(click.style(f"error: {exc.strerror or exc}{where}", fg="red"), err=True)
            ctx.exit(EXIT_CONTENT)


def print_output_error(exc: OutputError) -> None:
    """The error, and what it left: the previous outputs, or which files are new already."""
    click.echo(click.style(f"error: {exc}", fg="red"), err=True)
    if exc.written:
        new = ", ".join(display_path(path) for path in exc.written)
        click.echo(f"Written before the error: {new}; every other output was left as it was.", err=True)
    else:
        click.echo("The previous outputs were left as they were.", err=True)


@click.group(cls=StudydeckGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="studydeck")
def cli() -> None:
    """Compile YAML question-answer items into Anki decks and printable quiz sheets.

    \b
    Exit status: 0 success; 1 invalid content (every error printed as
    path:line:col: error: message) or an output that could not be written;
    2 usage error.
    """


def main() -> None:
    """Console entry point."""
    try:
        cli.main(prog_name="studydeck")
    except Exception:  # a bug in studydeck, not in the cards: short report, no wall of text
        if os.environ.get("STUDYDECK_DEBUG"):
            raise
        click.echo("internal error in studydeck; please report it with this output:", err=True)
        click.echo(traceback.format_exc(limit=-3), err=True)
        sys.exit(EXIT_INTERNAL)
