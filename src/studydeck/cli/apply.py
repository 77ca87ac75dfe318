from __future__ import annotations

from pathlib import Path

import click

from studydeck import api
from studydeck.cli.options import cards_option, out_option


@click.command("apply")
@click.argument("package", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--collection",
    type=click.Path(path_type=Path),
    help="The Anki collection to change: a profile's collection.anki2 (or the profile's folder).",
)
@click.option("--profile", metavar="NAME", help="The Anki profile NAME, in Anki's usual data folder.")
@cards_option
@out_option
@click.option("--dry-run", is_flag=True, help="Print what would change, and change nothing.")
@click.option("--keep-removed", is_flag=True, help="Suspend and tag removed items' notes instead of deleting them.")
@click.option(
    "--allow-full-sync",
    is_flag=True,
    help="Change the note type of items turned basic <-> cloze (AnkiWeb then needs a one-way full sync).",
)
@click.option("--overwrite-local-edits", is_flag=True, help="Replace notes edited in Anki with the package's text.")
@click.pass_context
def apply_command(
    ctx: click.Context,
    package: Path | None,
    collection: Path | None,
    profile: str | None,
    cards_dir: Path,
    out_dir: Path,
    dry_run: bool,
    keep_removed: bool,
    allow_full_sync: bool,
    overwrite_local_edits: bool,
) -> None:
    """Bring an Anki collection to exactly what PACKAGE says, keeping review history.

    Beyond Anki's import (which only adds and updates notes): deletes the notes of removed
    items, moves moved items' cards, changes the note type of items turned basic <-> cloze,
    and deletes cards the new text left empty. Backs the collection up first (in the
    profile's backups/ folder). Close the profile in Anki first.

    PACKAGE defaults to the deck's package in --out (the one `studydeck build` made).

    \b
    Examples:
        studydeck apply --profile "User 1" --dry-run
        studydeck apply neuropathy-treatment.apkg --collection "$HOME/.local/share/Anki2/User 1"
    """
    from studydeck.apply.errors import ApplyError
    from studydeck.apply.plan import ApplyOptions
    from studydeck.apply.report import plan_lines, summary

    if (collection is None) == (profile is None):
        raise click.UsageError("give the collection to change: --collection PATH or --profile NAME (one of them)")
    try:
        result = api.apply(
            package,
            collection,
            profile=profile,
            cards_dir=cards_dir,
            out_dir=out_dir,
            options=ApplyOptions(keep_removed, allow_full_sync, overwrite_local_edits),
            dry_run=dry_run,
            show=lambda plan: click.echo("\n".join(plan_lines(plan))),
        )
    except ApplyError as exc:
        click.echo(click.style(f"error: {exc}", fg="red"), err=True)
        ctx.exit(1)
    plan = result.plan
    if not plan.changes_anything:
        click.echo("Nothing to change: the collection holds the deck as this package has it.")
    elif dry_run:
        click.echo(f"Dry run, nothing was changed. The plan: {summary(plan)}.")
    else:
        click.echo(f"Backup: {result.backup} (Anki restores it from File › Switch Profile › Open Backup)")
        click.echo(f"Applied: {summary(plan)}.")
        if result.outcome.cards_not_empty:
            count = len(result.outcome.cards_not_empty)
            click.echo(f"Kept {count} card(s) planned as empty: Anki still shows text on them.")
        if plan.retyped:
            click.echo(
                "Note types were changed: at the next sync Anki asks for a one-way full sync; choose Upload "
                "(AnkiWeb and your other devices then take this collection)."
            )
