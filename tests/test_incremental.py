"""The build cache and the build state never serve stale results (issue 5).

Each test builds with a warm cache and previous outputs, changes something, rebuilds, and
compares every output byte for byte with a cold build of the same cards and lockfile (no
cache, empty output folder).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from studydeck import api
from studydeck.engine import cache

from helpers import DECK_YAML, DRUGS_YAML, CardsFolder

T0, T1 = 1_750_000_000.0, 1_750_000_100.0

MORE_YAML = """\
deck: Prognosis
source: src
items:
  - id: cidp-course
    category: prognosis
    q: Which CIDP course has the better prognosis?
    a: Relapsing-remitting
    wrong: [Progressive, Monophasic]
"""


@pytest.fixture
def warm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CardsFolder:
    """A folder built once, with its own cache."""
    monkeypatch.setenv("STUDYDECK_CACHE_DIR", str(tmp_path / "cache"))
    folder = CardsFolder.example(tmp_path / "project")
    folder.write("more/prognosis.yaml", MORE_YAML)
    folder.build(now=T0)
    return folder


def outputs(folder: CardsFolder) -> dict[str, bytes]:
    files = [p for p in folder.out.iterdir() if p.is_file() and not p.name.startswith(".")]
    return {p.name: p.read_bytes() for p in sorted(files)} | {"lock": folder.lockfile.read_bytes()}


def assert_same_as_cold(folder: CardsFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rebuild warm; a cold build of the same cards and lockfile gives the same bytes."""
    cold = CardsFolder(tmp_path / "cold")
    assert (folder.out / ".studydeck-index").is_file(), "the warm build must have the last build's index"
    shutil.copytree(folder.cards, cold.cards)  # the cards and lockfile as the warm build finds them
    folder.build(now=T1)
    with monkeypatch.context() as m:
        m.setenv("STUDYDECK_CACHE_DIR", "")  # no cache at all
        cold.build(now=T1)
    assert outputs(folder) == outputs(cold)


def test_edited_file(warm: CardsFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    warm.edit("drugs.yaml", "0.4 g/kg per day IV for 5 days.", "0.4 g/kg/day for 5 days (2 g/kg).")
    assert_same_as_cold(warm, tmp_path, monkeypatch)
    assert "(2 g/kg)" in api.load_deck(warm.cards).items[0].a


def test_renamed_file(warm: CardsFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (warm.cards / "more" / "prognosis.yaml").rename(warm.cards / "prognosis.yml")
    assert_same_as_cold(warm, tmp_path, monkeypatch)


def test_deleted_and_added_files(warm: CardsFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (warm.cards / "more" / "prognosis.yaml").unlink()
    warm.write("new.yaml", MORE_YAML.replace("cidp-course", "cidp-course-2").replace("Which", "What"))
    assert_same_as_cold(warm, tmp_path, monkeypatch)
    assert "cidp-course-2" in {item.id for item in api.load_deck(warm.cards).items}


def test_items_removed_and_added_earlier_move_the_cards_of_unchanged_files(
    warm: CardsFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """drugs.yaml comes first: when it shrinks or grows, prognosis.yaml is reused from the last
    build but its new cards' due positions must move, exactly as a cold build numbers them."""
    from studydeck.engine.index import read_index

    text = (warm.cards / "drugs.yaml").read_text()
    warm.edit("drugs.yaml", text[text.index("  - id: ivig-brand") : text.index("  - id: cidp-remission")], "")
    assert_same_as_cold(warm, tmp_path / "first", monkeypatch)
    added = "\n".join(
        f"  - id: extra-{n}\n    category: dosing\n    q: Extra question {n}?\n    a: Answer {n}." for n in range(5)
    )
    warm.write("drugs.yaml", (warm.cards / "drugs.yaml").read_text() + added + "\n")
    assert_same_as_cold(warm, tmp_path / "second", monkeypatch)
    index = read_index(warm.out)
    assert index is not None and [f.path.endswith("prognosis.yaml") for f in index.files] == [False, True]


def test_changed_deck_yaml_reaches_cached_files(
    warm: CardsFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A source title lives in every citing note: no card file changed, yet every note did."""
    warm.edit("deck.yaml", "title: The source article", "title: The corrected source article")
    assert_same_as_cold(warm, tmp_path, monkeypatch)
    compiled = api.compile_cards(warm.cards, now=T1)
    assert all("The corrected source article" in note.fields[4] for note in compiled.notes if note.fields[4])


def test_changed_lockfile(warm: CardsFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = warm.lockfile.read_text()
    warm.lockfile.write_text(text.replace(" 1750000000\n", " 1750000001\n", 1))
    assert_same_as_cold(warm, tmp_path, monkeypatch)


def test_unchanged_rebuild_reuses_everything_and_restores_a_deleted_output(
    warm: CardsFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = outputs(warm)
    assert warm.build(now=T1).written == ()
    warm.package.unlink()
    assert warm.build(now=T1).written == (warm.package,)
    assert outputs(warm) == before
    warm.package.write_bytes(b"tampered")
    warm.build(now=T1)
    assert outputs(warm) == before


def test_new_cache_format_ignores_old_entries(
    warm: CardsFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "CACHE_FORMAT", cache.CACHE_FORMAT + 1)
    warm.edit("drugs.yaml", "Immunoglobulins", "Immune globulins")
    assert_same_as_cold(warm, tmp_path, monkeypatch)


def test_damaged_cache_entries_are_discarded(
    warm: CardsFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a build killed while writing its cache could leave: truncated or garbage entries."""
    entries = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert entries
    for number, entry in enumerate(entries):
        data = entry.read_bytes()
        entry.write_bytes(data[: len(data) // 2] if number % 2 else b"\x00garbage")
    (warm.out / ".studydeck-build.json").unlink()  # so the build really reads the cache
    assert_same_as_cold(warm, tmp_path, monkeypatch)


def test_image_removed_after_caching_is_reported(warm: CardsFolder) -> None:
    image = warm.cards / "media" / "trace.png"
    image.parent.mkdir()
    image.write_bytes(b"\x89PNG first")
    warm.edit("more/prognosis.yaml", "    wrong:", "    image: media/trace.png\n    wrong:")
    assert warm.run("build").exit_code == 0  # caches the file, keyed by the path the CLI uses
    image.unlink()
    result = warm.run("build")
    assert result.exit_code == 1
    assert "image file 'media/trace.png' not found" in result.output


def test_replaced_image_changes_the_package(warm: CardsFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    image = warm.cards / "media" / "trace.png"
    image.parent.mkdir()
    image.write_bytes(b"\x89PNG first")
    warm.edit("more/prognosis.yaml", "    wrong:", "    image: media/trace.png\n    wrong:")
    warm.build(now=T0)
    image.write_bytes(b"\x89PNG second")
    assert_same_as_cold(warm, tmp_path, monkeypatch)


def test_many_files_validated_in_parallel_match_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Enough files to use worker processes: the same items, diagnostics and bytes as one process."""
    monkeypatch.setenv("STUDYDECK_CACHE_DIR", "")
    folder = CardsFolder(tmp_path / "big")
    folder.write("deck.yaml", DECK_YAML)
    for n in range(12):
        body = DRUGS_YAML.replace("id: ", f"id: f{n}-").replace("What IVIG", f"What (file {n}) IVIG")
        body = body.replace("Which class", f"Which class (file {n})").replace("About", f"In file {n}, about")
        folder.write(f"part-{n:02}.yaml", body + "\n" + "# padding\n" * 10_000)
    monkeypatch.setattr("studydeck.engine.validation.PARALLEL_MIN_BYTES", 1)
    parallel = api.compile_cards(folder.cards, now=T0)
    monkeypatch.setattr("studydeck.engine.validation.PARALLEL_MIN_FILES", 10_000)
    serial = api.compile_cards(folder.cards, now=T0)
    assert parallel.notes == serial.notes and len(serial.notes) == 36


def test_progress_tracker_sees_each_file_validated_afresh(warm: CardsFolder, tmp_path: Path) -> None:
    """The CLI's progress bar is fed by the API: one tick per file read afresh, none from the cache."""
    seen: list[tuple[int, int]] = []

    def track(results: Iterable[bytes], total: int) -> Iterator[bytes]:
        count = 0
        for result in results:
            count += 1
            yield result
        seen.append((total, count))

    api.load_deck(warm.cards, cache_dir=tmp_path / "fresh-cache", track=track)
    assert seen == [(2, 2)]  # drugs.yaml and more/prognosis.yaml
    api.load_deck(warm.cards, cache_dir=tmp_path / "fresh-cache", track=track)
    assert seen[-1] == (0, 0)


def test_a_file_that_changes_while_being_read_is_reported_and_never_cached(
    warm: CardsFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large build keeps only digests and reads each file again when it parses it: an edit
    saved in between is an error (build again), and the cache never holds it under the old key."""
    from studydeck.diagnostics import Diagnostics
    from studydeck.engine.cache import FileCache
    from studydeck.engine.pipeline import read_sources
    from studydeck.engine.staleness import cache_key
    from studydeck.engine.validation import CHANGED_WHILE_BUILDING, validated_files
    from studydeck.source.folder import read_folder

    cache_dir = tmp_path / "fresh-cache"
    folder = read_folder(warm.cards, keep_bytes=False)
    sources = read_sources(folder, Diagnostics()) or pytest.fail("deck.yaml")
    warm.edit("drugs.yaml", "0.4 g/kg per day IV for 5 days.", "0.4 g/kg/day for 5 days.")  # after the reading
    keys = {i: cache_key(f, sources.deck_digest) for i, f in enumerate(folder.card_files)}
    results = dict(validated_files(folder.card_files, folder.root, sources.deck, keys, FileCache(cache_dir)))
    drugs = next(i for i, f in enumerate(folder.card_files) if f.path.name == "drugs.yaml")
    assert [d.message for d in results[drugs].diagnostics] == [CHANGED_WHILE_BUILDING]
    assert not FileCache(cache_dir).has(keys[drugs])
    assert all(not r.diagnostics for i, r in results.items() if i != drugs)  # the others are read as usual
    assert warm.run("build").exit_code == 0  # the next build reads the folder anew and builds the edit


@pytest.mark.parametrize("seed", range(40))
def test_updating_the_lockfile_text_equals_formatting_it_anew(seed: int) -> None:
    """A rebuild changes only the lockfile lines that differ; the text must be exactly what
    formatting the whole lockfile gives, whatever was added, removed, changed or restored."""
    import random

    from studydeck.identity.lockfile import LockEntry, Lockfile, NoteTypeEntry, format_lockfile, update_lockfile_text

    rng = random.Random(seed)
    ids = ["a", "a-b", "a.b", "a0", "a-", "b", "ab", "a-b-c", *[f"item-{n}" for n in range(60)]]

    def entry(item_id: str) -> LockEntry:
        subdeck = rng.choice(["", "Drugs", "Drugs::IVIG", "Prognosis"])
        digest = f"{rng.getrandbits(64):016x}"
        return LockEntry(item_id, digest, rng.randrange(1, 10**13), rng.randrange(10**9), subdeck)

    live = set(rng.sample(ids, rng.randrange(0, len(ids))))
    gone = set(rng.sample(sorted(set(ids) - live), rng.randrange(0, len(set(ids) - live) + 1)))
    notetypes = {1: NoteTypeEntry(1, "0" * 16, 5)}
    old = Lockfile("deck", notetypes, {i: entry(i) for i in live}, {i: entry(i) for i in gone})
    items, removed = dict(old.items), dict(old.gone)
    for item_id in rng.sample(ids, rng.randrange(0, 12)):
        action = rng.choice(["change", "remove", "add", "restore"])
        if action == "change" and item_id in items:
            items[item_id] = entry(item_id)
        elif action == "remove" and item_id in items:
            removed[item_id] = items.pop(item_id)
        elif action == "add" and item_id not in items and item_id not in removed:
            items[item_id] = entry(item_id)
        elif action == "restore" and item_id in removed:
            items[item_id] = removed.pop(item_id)
    # Half the seeds keep the head, so that lines only changed in place are spliced where they are.
    new = Lockfile("deck", notetypes if seed % 2 else {1: NoteTypeEntry(1, "1" * 16, 6)}, items, removed)
    assert update_lockfile_text(format_lockfile(old), old, new) == format_lockfile(new)


def test_an_edit_that_keeps_size_and_time_is_still_seen(warm: CardsFolder, monkeypatch: pytest.MonkeyPatch) -> None:
    """Unchanged files are not read again (their stat is as the last build found it, long enough
    after they last changed): an edit of the same length with its old time restored still
    changes the file's change time, so it is read and built."""
    import os

    from studydeck.source.folder import SETTLED_NS

    drugs = warm.cards / "drugs.yaml"
    info = drugs.stat()
    monkeypatch.setattr("studydeck.source.folder.SETTLED_NS", 0)  # no need to wait 2 s for the files to settle
    warm.build(now=T1)
    drugs.write_text(drugs.read_text().replace("0.4 g/kg per day", "0.5 g/kg per day"))
    os.utime(drugs, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert drugs.stat().st_size == info.st_size and drugs.stat().st_mtime_ns == info.st_mtime_ns
    result = warm.build(now=T1 + 10)
    assert result.report.changed == ("ivig-dose",)
    assert SETTLED_NS >= 1_000_000_000  # (coarse filesystem clocks: FAT counts in 2 s)


def larger_deck(folder: CardsFolder, files: int = 4, per_file: int = 400) -> None:
    """Enough items that the package's collection spans many segments (most reused on an edit)."""
    for f in range(files):
        lines = [f"deck: Part {f}", "source: src", "items:"]
        for n in range(f * per_file, (f + 1) * per_file):
            answer = f"{n % 50 + 1} mg/kg per day for {n % 7 + 1} days, then review at week {n % 12}."
            lines += [f"  - id: item-{n}", "    category: dosing", f"    q: What is the dose of drug {n}?"]
            lines.append(f"    a: {answer}")
        folder.write(f"part-{f}.yaml", "\n".join(lines) + "\n")


@pytest.mark.parametrize("damage", ["delete the collection", "delete the index", "old package back", "garbled index"])
def test_a_missing_or_stale_build_index_is_never_trusted(
    warm: CardsFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    from studydeck.engine.index import COLLECTION_FILE, INDEX_FILE

    larger_deck(warm)
    warm.build(now=T0)
    package = next(warm.out.glob("*.apkg"))
    old_package = package.read_bytes()
    warm.edit("part-1.yaml", "drug 555?", "drug 555 in adults?")
    warm.build(now=T1)
    warm.edit("part-2.yaml", "drug 1000?", "drug 1000 in children?")
    if damage == "delete the collection":
        (warm.out / COLLECTION_FILE).unlink()
    elif damage == "delete the index":
        (warm.out / INDEX_FILE).unlink()
    elif damage == "old package back":
        package.write_bytes(old_package)  # e.g. restored from a backup: its segments are not the index's
    else:
        (warm.out / INDEX_FILE).write_bytes(b"\x00garbage")
    (warm.out / INDEX_FILE).touch()  # (assert_same_as_cold wants a warm folder)
    assert_same_as_cold(warm, tmp_path, monkeypatch)
