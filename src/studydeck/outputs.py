"""Writing files without ever losing the previous ones: a temporary file beside the target,
then renamed over it. Every file studydeck writes goes through here, so a process killed at
any moment (even with SIGKILL) leaves each file old or new, never torn. Outputs are also
flushed to disk before the rename (`durable`), so that a power cut cannot tear them either;
only files that are checked before use and rebuilt when torn (the cache, the build index) skip it."""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from studydeck.diagnostics import OutputError


def temporary_sibling(target: Path) -> Path:
    """A fresh empty file next to ``target`` (same filesystem, so the rename is atomic)."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"cannot write in {target.parent}: {exc.strerror or exc}") from exc
    try:
        # mkstemp makes the file private (0600); the output gets the permissions a plain write would.
        os.fchmod(fd, _output_mode(target))
    finally:
        os.close(fd)
    return Path(name)


def _output_mode(target: Path) -> int:
    """The replaced file's permissions, or the usual ones for a new file (0666 less the umask)."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


#: What to write: the bytes or text themselves, or a function that writes the (temporary) path.
Content = bytes | str | Callable[[Path], object]


@contextlib.contextmanager
def staged(targets: list[Path], *, durable: bool = True) -> Iterator[list[Path]]:
    """Yield one temporary path per target; on success rename them all into place, else delete them.

    The renames happen last and in order, so a crash before them leaves every old output intact.
    ``durable`` flushes each file to disk before its rename (only a cache may do without).
    """
    temps: list[Path] = []
    try:
        for target in targets:
            temps.append(temporary_sibling(target))
        yield temps
        for temp in temps if durable else ():
            _fsync(temp)
        for temp, target in zip(temps, targets, strict=True):
            os.replace(temp, target)
    except OSError as exc:
        raise OutputError(f"cannot write {exc.filename or 'output'}: {exc.strerror or exc}") from exc
    finally:
        for temp in temps:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()


def remove_leftovers(targets: list[Path]) -> None:
    """Delete the temporary files a killed process left next to ``targets``.

    Only safe while holding the build lock: another build's temporaries look the same.
    """
    for target in targets:
        # `.<name>.XXXX.tmp`, and what was derived from it (`..<name>.XXXX.tmp.db.YYYY.tmp-journal`)
        for leftover in target.parent.glob(f".*{glob.escape(target.name)}.*.tmp*"):
            with contextlib.suppress(OSError):
                leftover.unlink()


def write_files(files: Mapping[Path, Content], *, durable: bool = True) -> None:
    """Write every file or none: each to a temporary file, all renamed into place at the end."""
    with staged(list(files), durable=durable) as temps:
        for temp, content in zip(temps, files.values(), strict=True):
            write_content(temp, content)


def write_content(path: Path, content: Content) -> None:
    """Write ``content`` to ``path`` (a temporary file: `staged` renames it)."""
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        content(path)


def write_atomic(target: Path, content: Content, *, durable: bool = True) -> None:
    """Write one file: replaced whole, or left as it was."""
    write_files({target: content}, durable=durable)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
