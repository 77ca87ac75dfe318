"""The .apkg zip, written so that a rebuild recompresses only the part of the collection that changed.

The collection is deflated in independent 64 KiB segments (each starts with an empty window
and ends on a byte boundary, as pigz does), so the stream is a plain deflate stream that any
unzip reads, and a segment whose bytes did not change since the last package can be copied
from it instead of compressed again. A one-note edit changes two or three segments.

A process that writes the package again and again (`watch`) can keep the last collection's
segments in memory (`Kept`): an unchanged segment is then found by comparing bytes, and its
CRC and compressed form are taken as they were, instead of hashing and reading them again.

We write the zip container ourselves because `zipfile` cannot take data that is already
compressed. It is the simplest form: no zip64, no data descriptors, every time field 1980-01-01.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import struct
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from studydeck.diagnostics import OutputError

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

SEGMENT_BYTES = 1 << 16
COLLECTION = "collection.anki2"
_LEVEL = 1  # four times faster than the default on a large collection, for ~13% more bytes
_END = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15).flush()  # an empty final block ends the stream
_DOS_DATE, _DOS_TIME = 0x21, 0  # 1980-01-01 00:00, the earliest a zip entry can carry
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END_RECORD = struct.Struct("<IHHHHIIH")
_MAX = 0xFFFFFFFF  # beyond this a zip needs zip64, which we do not write


@dataclass(frozen=True)
class Segments:
    """How a package's collection was compressed: each segment's digest and compressed size."""

    digests: tuple[bytes, ...] = ()
    sizes: tuple[int, ...] = ()


@dataclass(frozen=True, eq=False)
class Kept:
    """The last package's collection, segment by segment, as this process wrote it: the bytes,
    CRC-32 and compressed form of each, with the `Segments` that the package's index records."""

    segments: Segments
    chunks: tuple[bytes, ...]
    crcs: tuple[int, ...]
    compressed: tuple[bytes, ...]


@dataclass(frozen=True)
class Entry:
    name: str
    crc: int
    compressed: int
    size: int
    offset: int


def write_apkg(
    path: Path,
    collection: Path,
    media: Sequence[tuple[str, bytes]],
    previous: tuple[Path, Segments] | None = None,
) -> Segments:
    """Write the package: the collection, the media index, the media files (named "0", "1", …).

    ``previous`` is the last package and how its collection was compressed; segments that
    are byte for byte the same are copied from it. The result is identical either way.
    """
    return write_package(path, collection, media, previous)[0]


def write_package(
    path: Path,
    collection: Path,
    media: Sequence[tuple[str, bytes]],
    previous: tuple[Path, Segments] | None = None,
    kept: Kept | None = None,
    keep: bool = False,
) -> tuple[Segments, Kept | None]:
    """`write_apkg`, for a process that writes the package again and again: ``kept`` is the
    last package's collection as this process kept it (used only if it describes ``previous``),
    and with ``keep`` this package's is returned, for the next call (it takes the collection's
    size in memory)."""
    entries: list[Entry] = []
    with path.open("wb") as out:
        entry, segments, now_kept = _write_collection(out, collection, previous, kept, keep)
        entries.append(entry)
        for name, data in media:
            entries.append(_write_entry(out, name, [_deflate(data)], zlib.crc32(data), len(data)))
        start = out.tell()
        for e in entries:
            encoded = e.name.encode()
            out.write(_CENTRAL.pack(0x02014B50, 0x0314, 20, 0, 8, _DOS_TIME, _DOS_DATE, e.crc, e.compressed,
                                    e.size, len(encoded), 0, 0, 0, 0, 0o644 << 16, e.offset))  # fmt: skip
            out.write(encoded)
        end = out.tell()
        out.write(_END_RECORD.pack(0x06054B50, 0, 0, len(entries), len(entries), end - start, start, 0))
        if end > _MAX:
            raise OutputError(f"{path.name} would be larger than 4 GiB, which this package format cannot hold")
    return segments, now_kept


def _write_collection(
    out: BinaryIO, collection: Path, previous: tuple[Path, Segments] | None, kept: Kept | None, keep: bool
) -> tuple[Entry, Segments, Kept | None]:
    """Deflate the collection segment by segment, copying unchanged segments from ``previous``
    (or from ``kept``, its segments in memory)."""
    digests: list[bytes] = []
    sizes: list[int] = []
    crcs: list[int] = []
    chunks: list[bytes] = []
    parts: list[bytes] = []
    crc = size = 0
    if kept is not None and (previous is None or kept.segments != previous[1]):
        kept = None  # (it describes another package than the one on disk)
    header_at = out.tell()
    out.write(_local_header(COLLECTION, 0, 0, 0))  # rewritten below, once the sizes are known
    with contextlib.ExitStack() as stack:
        old = _OldSegments(stack.enter_context(previous[0].open("rb")), previous[1]) if previous else None
        pool = _Threads(stack)
        source = stack.enter_context(collection.open("rb"))
        while window := _read(source):
            found: list[bytes | None] = []
            for chunk in window:
                at = len(digests)
                full = len(chunk) == SEGMENT_BYTES
                if kept is not None and at < len(kept.chunks) and full and kept.chunks[at] == chunk:
                    # Unchanged (a memory compare, not a hash): its digest, CRC and compressed form as before.
                    digests.append(kept.segments.digests[at])
                    crcs.append(kept.crcs[at])
                    crc = crc32_combine(crc, crcs[-1])
                    found.append(kept.compressed[at])
                else:
                    if keep:  # (its own CRC too, for the next call)
                        crcs.append(zlib.crc32(chunk))
                        crc = crc32_combine(crc, crcs[-1]) if full else zlib.crc32(chunk, crc)
                    else:
                        crc = zlib.crc32(chunk, crc)
                    digests.append(hashlib.sha256(chunk).digest()[:16])
                    found.append(old.segment(at, digests[-1]) if old else None)
                size += len(chunk)
            if keep:
                chunks += window
            fresh = pool.map(_segment, [chunk for chunk, f in zip(window, found, strict=True) if f is None])
            for part in (f if f is not None else next(fresh) for f in found):
                out.write(part)
                sizes.append(len(part))
                if keep:
                    parts.append(part)
    out.write(_END)
    compressed = sum(sizes) + len(_END)
    _check_size(COLLECTION, header_at, compressed, size)
    end = out.tell()
    out.seek(header_at)
    out.write(_local_header(COLLECTION, crc, compressed, size))
    out.seek(end)
    segments = Segments(tuple(digests), tuple(sizes))
    now_kept = Kept(segments, tuple(chunks), tuple(crcs), tuple(parts)) if keep else None
    return Entry(COLLECTION, crc, compressed, size, header_at), segments, now_kept


def crc32_combine(crc: int, segment_crc: int) -> int:
    """The CRC-32 of some bytes followed by a full segment, from the CRC of each (zlib's
    crc32_combine, for the one length it is needed for): no need to read the segment again."""
    return _gf2_times(_segment_shift(), crc) ^ segment_crc


def _gf2_times(matrix: Sequence[int], vector: int) -> int:
    total, row = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[row]
        vector >>= 1
        row += 1
    return total


def _gf2_square(matrix: Sequence[int]) -> list[int]:
    return [_gf2_times(matrix, matrix[n]) for n in range(32)]


@functools.cache
def _segment_shift() -> list[int]:
    """The matrix that advances a CRC-32 over a segment's worth of zero bytes (made once: 5 ms)."""
    operator = [0xEDB88320] + [1 << n for n in range(31)]  # one zero bit
    for _ in range(3 + SEGMENT_BYTES.bit_length() - 1):  # 8 bits a byte, then doubled up to a segment
        operator = _gf2_square(operator)
    return operator


class _Threads:
    """Two threads for compressing many segments at once (zlib releases the GIL); the few
    segments an edit changes (5 to 10) are compressed without starting any."""

    def __init__(self, stack: contextlib.ExitStack) -> None:
        self.stack = stack
        self.pool: ThreadPoolExecutor | None = None

    def map(self, function: Callable[[bytes], bytes], chunks: list[bytes]) -> Iterator[bytes]:
        if len(chunks) < 16:  # (a few ms of work: less than loading and starting threads)
            return map(function, chunks)
        if self.pool is None:
            from concurrent.futures import ThreadPoolExecutor  # (costs an edit's rebuild 15 ms to load)

            self.pool = self.stack.enter_context(ThreadPoolExecutor(max_workers=2))
        return iter(self.pool.map(function, chunks))


def _read(source: BinaryIO, count: int = 32) -> list[bytes]:
    """The next ``count`` segments' bytes (fewer at the end)."""
    chunks: list[bytes] = []
    while len(chunks) < count and (chunk := source.read(SEGMENT_BYTES)):
        chunks.append(chunk)
    return chunks


class _OldSegments:
    """The last package's compressed segments, read where the digest says they still apply."""

    def __init__(self, package: BinaryIO, segments: Segments) -> None:
        self.package, self.segments = package, segments
        self.offsets = [_LOCAL.size + len(COLLECTION)]  # we wrote the collection first, with no extra field
        for size in segments.sizes:
            self.offsets.append(self.offsets[-1] + size)

    def segment(self, index: int, digest: bytes) -> bytes | None:
        if index >= len(self.segments.digests) or self.segments.digests[index] != digest:
            return None
        self.package.seek(self.offsets[index])
        data = self.package.read(self.segments.sizes[index])
        return data if len(data) == self.segments.sizes[index] else None


def _segment(chunk: bytes) -> bytes:
    compressor = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
    return compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def _write_entry(out: BinaryIO, name: str, parts: Sequence[bytes], crc: int, size: int) -> Entry:
    offset = out.tell()
    compressed = sum(len(p) for p in parts)
    _check_size(name, offset, compressed, size)
    out.write(_local_header(name, crc, compressed, size))
    for part in parts:
        out.write(part)
    return Entry(name, crc, compressed, size, offset)


def _local_header(name: str, crc: int, compressed: int, size: int) -> bytes:
    encoded = name.encode()
    return _LOCAL.pack(0x04034B50, 20, 0, 8, _DOS_TIME, _DOS_DATE, crc, compressed, size, len(encoded), 0) + encoded


def _check_size(name: str, offset: int, compressed: int, size: int) -> None:
    if max(offset, compressed, size) > _MAX:
        raise OutputError(f"{name} would be larger than 4 GiB, which this package format cannot hold")
