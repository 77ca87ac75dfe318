from __future__ import annotations

from pathlib import Path

import click

from studydeck import api
from studydeck.cli.options import cards_option
from studydeck.diagnostics import display_path
from studydeck.source.folder import LOCK_FILE


@click.command("lock")
@cards_option
@click.option(
    "--repair",
    is_flag=True,
    help="Rewrite a damaged lockfile (a merge conflict, a hand edit), keeping every line that can be read.",
)
@click.option(
    "--forget",
    "forget",
    metavar="ID",
    multiple=True,
    help="Let a removed item id be used again. Only for items that never reached learners: Anki still has their notes.",
)
def lock_command(cards_dir: Path, repair: bool, forget: tuple[str, ...]) -> None:
    """Check, repair or edit the lockfile (<cards>/studydeck.lock).

    Without options, checks that the lockfile can be read.

    \b
    Examples:
        studydeck lock --repair
        studydeck lock --forget cidp-old-item
    """
    if repair and forget:
        raise click.UsageError("give --repair or --forget, not both")
    shown = display_path(str(Path(cards_dir) / LOCK_FILE))
    if repair:
        _print_repair(api.repair_lock(cards_dir), shown)
    elif forget:
        api.forget_removed_ids(cards_dir, forget)
        click.echo(f"Forgot {', '.join(forget)} in {shown}: the id(s) can be used for new items.")
    elif not (Path(cards_dir) / LOCK_FILE).exists() and not (Path(cards_dir) / LOCK_FILE).is_symlink():
        click.echo(f"There is no {shown} yet; `studydeck build` writes one.")
    else:
        lock = api.load_lockfile(cards_dir)
        click.echo(f"{shown}: {len(lock.items)} items, {len(lock.gone)} removed ids; it reads correctly.")


def _print_repair(result: api.LockRepairResult, shown: str) -> None:
    if result.repair is None:
        click.echo(f"There is no {shown} yet; `studydeck build` writes one. Nothing to repair.")
        return
    repair = result.repair
    for line in repair.dropped:
        click.echo(f"  dropped  {line.location}: {line.text[:60]!r} ({line.reason})")
    for item_id in repair.merged:
        click.echo(f"  merged   {item_id}: found on several lines; kept the earliest note id and the latest time")
    for item_id in repair.renumbered:
        click.echo(
            f"  new note id for {item_id}: another item's was the same or less than 100 apart "
            "(their cards' ids could collide)"
        )
    lock = repair.lockfile
    kept = f"{len(lock.items)} items and {len(lock.gone)} removed ids"
    if not result.written:
        click.echo(f"{shown} is sound ({kept}); nothing to repair.")
        return
    click.echo(f"Repaired {shown}: kept {kept}.")
    if any(line.text.startswith(("item ", "gone ")) for line in repair.dropped):
        click.echo(
            "Items whose line was dropped are recorded again by the next build; Anki matches their notes\n"
            "by id, so learners keep them and their review history."
        )
