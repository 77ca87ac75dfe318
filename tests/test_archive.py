"""The package's zip: what any unzip reads back, and only changed segments compressed again (issue 5)."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest

from studydeck.anki import apkg as archive
from studydeck.anki.apkg import SEGMENT_BYTES, write_apkg


def collection_bytes(seed: int, size: int) -> bytes:
    """Compressible bytes, like a collection: words from a small vocabulary."""
    rng = random.Random(seed)
    words = [b"nerve", b"dose", b"daily", b"ivig", b"0.4 g/kg", b"\x00\x01", b"pain"]
    data = bytearray()
    while len(data) < size:
        data += rng.choice(words) + b" "
    return bytes(data[:size])


def test_the_zip_holds_exactly_what_was_written(tmp_path: Path) -> None:
    db = tmp_path / "collection.anki2"
    db.write_bytes(collection_bytes(1, 5 * SEGMENT_BYTES + 123))
    media = [("media", b'{"0": "sd-x.png"}'), ("0", b"\x89PNG" + bytes(range(256)))]
    write_apkg(tmp_path / "deck.apkg", db, media)
    with zipfile.ZipFile(tmp_path / "deck.apkg") as z:
        assert z.testzip() is None  # every CRC matches
        assert [i.filename for i in z.infolist()] == ["collection.anki2", "media", "0"]
        assert z.read("collection.anki2") == db.read_bytes()
        assert z.read("0") == media[1][1]


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d[:100] + b"X" + d[101:],  # one byte early on
        lambda d: d[: 3 * SEGMENT_BYTES] + b"inserted" + d[3 * SEGMENT_BYTES :],  # everything after shifts
        lambda d: d[: -SEGMENT_BYTES // 2],  # shorter
        lambda d: d + b"more" * 5000,  # longer
        lambda d: d,  # nothing
    ],
)
def test_reusing_the_last_package_gives_the_same_bytes(tmp_path: Path, change, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    old_db, new_db = tmp_path / "old.anki2", tmp_path / "new.anki2"
    old_db.write_bytes(collection_bytes(2, 8 * SEGMENT_BYTES + 77))
    new_db.write_bytes(change(old_db.read_bytes()))
    segments = write_apkg(tmp_path / "old.apkg", old_db, [("media", b"{}")])

    compressed: list[int] = []
    real = archive._segment
    monkeypatch.setattr(archive, "_segment", lambda chunk: compressed.append(1) or real(chunk))
    reused = write_apkg(tmp_path / "reused.apkg", new_db, [("media", b"{}")], (tmp_path / "old.apkg", segments))
    recompressed = len(compressed)
    fresh = write_apkg(tmp_path / "fresh.apkg", new_db, [("media", b"{}")])

    assert (tmp_path / "reused.apkg").read_bytes() == (tmp_path / "fresh.apkg").read_bytes()
    assert reused == fresh
    with zipfile.ZipFile(tmp_path / "reused.apkg") as z:
        assert z.read("collection.anki2") == new_db.read_bytes()
    old = segments.digests
    changed = sum(1 for i, digest in enumerate(fresh.digests) if i >= len(old) or old[i] != digest)
    assert recompressed == changed  # only the segments that changed were compressed again


@pytest.mark.parametrize("seed", range(6))
def test_segments_kept_in_memory_give_the_same_package(tmp_path: Path, seed: int) -> None:
    """`watch` keeps the last package's segments and compares them instead of hashing (issue 15):
    the package is byte for byte the one written without them, through a series of changes."""
    import zlib

    rng = random.Random(seed)
    data = collection_bytes(seed, 9 * SEGMENT_BYTES + 500)
    db = tmp_path / "collection.anki2"
    db.write_bytes(data)
    segments, kept = archive.write_package(tmp_path / "deck.apkg", db, [("media", b"{}")], keep=True)
    for step in range(4):
        at = rng.randrange(len(data))
        data = data[:at] + rng.choice([b"X", b"inserted text", b""]) + data[at + rng.randrange(0, 3) :]
        db.write_bytes(data)
        previous = (tmp_path / "deck.apkg", segments)
        segments, kept = archive.write_package(
            tmp_path / f"new{step}.apkg", db, [("media", b"{}")], previous, kept, True
        )
        write_apkg(tmp_path / "fresh.apkg", db, [("media", b"{}")])
        assert (tmp_path / f"new{step}.apkg").read_bytes() == (tmp_path / "fresh.apkg").read_bytes()
        (tmp_path / f"new{step}.apkg").replace(tmp_path / "deck.apkg")
        with zipfile.ZipFile(tmp_path / "deck.apkg") as z:
            assert z.read("collection.anki2") == data
    assert kept is not None and archive.crc32_combine(zlib.crc32(b"abc"), kept.crcs[0]) == zlib.crc32(
        b"abc" + data[:SEGMENT_BYTES]
    )
