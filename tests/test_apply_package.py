"""The package carries what `studydeck apply` needs (studydeck.json), and Anki's own import
does not notice it (DESIGN.md §6), checked with the real backend."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

from studydeck.anki.notes import note_guid
from studydeck.apply.deckpackage import read_package
from studydeck.apply.errors import ApplyError

from anki_backend import import_package, new_collection
from helpers import CardsFolder


def without_manifest(package: Path, out: Path) -> Path:
    with zipfile.ZipFile(package) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            if info.filename != "studydeck.json":
                zout.writestr(info, zin.read(info))
    return out


def imported(package: Path, folder: Path) -> tuple[object, list[tuple[object, ...]], list[str]]:
    """The import log, every note and card as Anki stored them, and the media folder's files."""
    col = new_collection(folder)
    try:
        log = import_package(col, package)
        notes = col.db.all("SELECT id, guid, mid, mod, tags, flds FROM notes ORDER BY id")
        cards = col.db.all("SELECT id, nid, ord, did, type, queue, due FROM cards ORDER BY id")
        # (a new deck's id is the time Anki made it: compare decks by name)
        cards = [[*row[:3], col.decks.name(row[3]), *row[4:]] for row in cards]
        decks = sorted([d.name] for d in col.decks.all_names_and_ids())
        rows = [tuple(r) for r in [*notes, *cards, *decks]]
        media = sorted(os.listdir(col.media.dir()))
    finally:
        col.close()
    return log, rows, media


def test_ankis_import_is_the_same_with_and_without_the_manifest(folder: CardsFolder, tmp_path: Path) -> None:
    folder.write("media/trace.png", b"\x89PNG\r\n\x1a\n not really a picture")
    folder.edit("drugs.yaml", "    reverse: true\n", "    reverse: true\n    image: media/trace.png\n")
    folder.build()
    with zipfile.ZipFile(folder.package) as archive:
        assert "studydeck.json" in archive.namelist()
    plain = without_manifest(folder.package, tmp_path / "plain.apkg")

    log, rows, media = imported(folder.package, tmp_path / "with")
    plain_log, plain_rows, plain_media = imported(plain, tmp_path / "without")
    assert log == plain_log and rows == plain_rows and media == plain_media
    # No warnings of any kind: everything new, nothing skipped or conflicting.
    assert len(log.new) == 3 and log.found_notes == 3  # type: ignore[attr-defined]
    for warning in ("updated", "duplicate", "conflicting", "first_field_match", "missing_notetype", "missing_deck",
                    "empty_first_field"):  # fmt: skip
        assert not getattr(log, warning), warning
    assert len(media) == 1 and media[0].startswith("sd-")  # the picture, and not studydeck.json


def test_the_manifest_names_the_deck_and_every_removed_item(folder: CardsFolder) -> None:
    folder.build()
    folder.edit("drugs.yaml", "  - id: ivig-brand", "  - id: ivig-brand-renamed")
    folder.build()
    lock = folder.lockfile.read_text()
    with zipfile.ZipFile(folder.package) as archive:
        manifest = json.loads(archive.read("studydeck.json"))
    gone_mod = next(line.split()[4] for line in lock.splitlines() if line.startswith("gone ivig-brand "))
    assert manifest == {
        "format": "studydeck-package 1",
        "deck": {"id": "test-deck", "name": "Test deck"},
        "removed": {note_guid("test-deck", "ivig-brand"): {"item": "ivig-brand", "mod": int(gone_mod)}},
    }
    package = read_package(folder.package)
    assert package.manifest.deck_name == "Test deck"
    assert sorted(n.item_id for n in package.notes.values()) == ["cidp-remission", "ivig-brand-renamed", "ivig-dose"]


def test_rebuilding_with_a_removed_item_stays_byte_identical(folder: CardsFolder, tmp_path: Path) -> None:
    folder.build(now=1_750_000_000.0)
    folder.edit("drugs.yaml", "  - id: ivig-brand", "  - id: ivig-brand-renamed")
    folder.build(now=1_750_000_100.0)
    first = folder.package.read_bytes()
    (folder.out / ".studydeck-index").unlink()  # a full rebuild, not a patched one
    folder.build(now=1_750_000_200.0)
    assert folder.package.read_bytes() == first


def test_a_package_without_manifest_or_with_a_doctored_one_is_refused(folder: CardsFolder, tmp_path: Path) -> None:
    folder.build()
    plain = without_manifest(folder.package, tmp_path / "plain.apkg")
    cases: dict[str, tuple[Path, str]] = {}
    cases["no manifest"] = (plain, "is not a studydeck package (it has no studydeck.json")
    garbage = tmp_path / "garbage.apkg"
    garbage.write_bytes(b"PK but not a zip")
    cases["not a zip"] = (garbage, "is not a studydeck package: it is damaged")
    # A manifest naming a note of someone else's (any GUID not made from the deck id and item id).
    doctored = tmp_path / "doctored.apkg"
    with zipfile.ZipFile(folder.package) as zin, zipfile.ZipFile(doctored, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "studydeck.json":
                manifest = json.loads(data)
                manifest["removed"] = {"learners-own-guid": {"item": "ivig-dose-old", "mod": 1}}
                data = json.dumps(manifest).encode()
            zout.writestr(info, data)
    cases["doctored"] = (doctored, "is damaged: note 'learners-own-guid' (item 'ivig-dose-old') is not one of")
    future = tmp_path / "future.apkg"
    with zipfile.ZipFile(folder.package) as zin, zipfile.ZipFile(future, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "studydeck.json":
                data = data.replace(b"studydeck-package 1", b"studydeck-package 9")
            zout.writestr(info, data)
    cases["newer format"] = (future, "has format 'studydeck-package 9'; this studydeck reads 'studydeck-package 1'")
    for name, (package, message) in cases.items():
        try:
            read_package(package)
        except ApplyError as exc:
            assert message in str(exc), name
        else:
            raise AssertionError(f"{name}: accepted")
