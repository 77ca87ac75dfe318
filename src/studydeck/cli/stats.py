from __future__ import annotations

import json
import textwrap
from pathlib import Path

import click

from studydeck import api
from studydeck.authoring.stats import Counts, DeckStats
from studydeck.cli.options import cards_option


@click.command("stats")
@cards_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def stats_command(cards_dir: Path, as_json: bool) -> None:
    """Count items per category, subdeck, tag, source and flag; list the items
    that lack distractors or a source; measure the answers' length.

    \b
    Example:
        studydeck stats
        studydeck stats --json | jq .without_source
    """
    stats = api.deck_stats(cards_dir)
    if as_json:
        click.echo(json.dumps(stats.as_json(), indent=2, ensure_ascii=False))
    else:
        print_stats(stats)


def print_stats(stats: DeckStats) -> None:
    click.secho(f"{stats.deck_name}: {stats.items} items ({stats.basic} basic, {stats.cloze} cloze)", bold=True)
    tables: list[tuple[str, Counts]] = [
        ("Category", stats.by_category),
        ("Subdeck", stats.by_subdeck),
        ("Tag", stats.by_tag),
        ("Source", stats.by_source),
        ("Flag", stats.by_flag),
    ]
    width = max((len(name) for _, counts in tables for name, _ in counts), default=0)
    for title, counts in tables:
        click.echo()
        click.secho(f"{title:<{width + 2}} {'items':>5}", bold=True)
        if not counts:
            click.echo("  (none)")
        for name, count in counts:
            line = f"  {name:<{width}} {count:>5}"
            click.echo(click.style(line, dim=True) if count == 0 else line)
    click.echo()
    for label, ids in (
        ("Basic items without distractors (wrong:)", stats.without_distractors),
        ("Items without a source", stats.without_source),
    ):
        click.secho(f"{label}: {len(ids)}", bold=True, fg="yellow" if ids else None)
        if ids:
            listed = textwrap.fill(", ".join(ids), width=100, break_on_hyphens=False)
            click.echo(textwrap.indent(listed, "  "))
    words = stats.answer_words
    longest = f" ({words.longest})" if words.longest else ""
    click.secho(f"Words per answer: median {words.median:g}, max {words.max}{longest}", bold=True)
