"""Where outputs may go, and writing files without ever losing the previous ones.

A file is written to a temporary file beside the target, then renamed over it. Every file
studydeck writes goes through here, so a process killed at any moment (even with SIGKILL)
leaves each file old or new, never torn. Outputs are also flushed to disk before the rename
(`durable`), so that a power cut cannot tear them either; only files that are checked before
use and rebuilt when torn (the cache, the build index) skip it."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from studydeck.diagnostics import OutputError, display_path


class OutputPathError(ValueError):
    """A path named for an output that studydeck will not write to (the CLI: a usage error, exit 2)."""

    def __init__(self, message: str, option: str = "--out") -> None:
        super().__init__(message)
        self.option = option  # the command-line option that named the path


# -- where outputs may go: one rule for every path a user names ------------------------------
#
# `studydeck cards --out cards/a.yaml` once replaced a card file with PDF bytes. So every output
# path a user names (quiz, cards and export --out, build and watch --out) goes through these:
# a file gets its format's suffix, so it can only ever replace a file of that kind; and nothing
# goes inside the cards folder, where it could replace a card file, an image or the lockfile,
# or be read back as input.


PDF_SUFFIXES = (".pdf",)


def output_file(out: Path, cards_dir: Path, suffixes: tuple[str, ...]) -> Path:
    """The file to write for ``out``: ``out`` itself if its suffix is one of ``suffixes`` (any
    case), else ``out`` with the first of them appended (`notes` → `notes.pdf`, `a.yaml` →
    `a.yaml.pdf`). Raises OutputPathError if that file is inside ``cards_dir`` or is a folder
    or anything else that is not a regular file."""
    path = Path(out)
    _no_device(path)  # (before the suffix: `/dev/null` must not become `/dev/null.pdf`)
    if path.suffix.lower() not in suffixes:
        path = path.with_name(path.name + suffixes[0]) if path.name else path
    check_output_files([path], cards_dir)
    return path


def check_output_files(paths: list[Path], cards_dir: Path) -> None:
    """Raise OutputPathError unless every path may be written as an output file."""
    for path in paths:
        _outside_cards(path, cards_dir)
        if not path.name or path.is_dir():
            raise OutputPathError(f"{_shown(path)} is a folder; name the file to write")
        if path.exists() and not path.is_file():
            raise OutputPathError(f"{_shown(path)} exists and is not a regular file; name another file")


def check_output_folder(out_dir: Path, cards_dir: Path) -> None:
    """Raise OutputPathError if ``out_dir`` is the cards folder or inside it, or is not a folder."""
    _outside_cards(out_dir, cards_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputPathError(f"{_shown(out_dir)} is {_kind(out_dir)}, not a folder; name a folder for the outputs")


def _no_device(path: Path) -> None:
    """Raise OutputPathError if ``path`` is a device, a pipe or a socket (`/dev/null`)."""
    if path.exists() and not path.is_file() and not path.is_dir():
        raise OutputPathError(f"{_shown(path)} is {_kind(path)}, not a regular file; name a file to write")


def _kind(path: Path) -> str:
    """What is at ``path``, in words."""
    import stat

    mode = path.stat().st_mode
    kinds = [(stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISFIFO, "a pipe"),
             (stat.S_ISSOCK, "a socket"), (stat.S_ISREG, "a file")]  # fmt: skip
    return next((word for test, word in kinds if test(mode)), "not a regular file")


def _outside_cards(path: Path, cards_dir: Path) -> None:
    if _inside(Path(path), Path(cards_dir)):
        same = _inside(Path(cards_dir), Path(path))
        where = "the cards folder" if same else f"inside the cards folder {_shown(cards_dir)}"
        raise OutputPathError(
            f"{_shown(path)} is {where}: outputs never go there (they could replace a card file, "
            "or be read as one); choose a path outside it"
        )


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or below it, however either is spelt: resolved (`..`, symbolic
    links), then compared by file identity (a case-insensitive disk, another mount of the same folder)."""
    try:
        target, folder_resolved = path.resolve(), folder.resolve()
    except (OSError, RuntimeError):  # a symbolic link loop: compared by identity below
        target, folder_resolved = path.absolute(), folder.absolute()
    if target.is_relative_to(folder_resolved):
        return True
    try:
        folder_id = _file_id(folder)
    except OSError:  # no such folder: nothing can be inside it
        return False
    for ancestor in (target, *target.parents):
        with contextlib.suppress(OSError):
            if _file_id(ancestor) == folder_id:
                return True
    return False


def _file_id(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_dev, stat.st_ino


def _shown(path: Path) -> str:
    return repr(display_path(str(path)))


def temporary_sibling(target: Path) -> Path:
    """A fresh empty file next to ``target`` (same filesystem, so the rename is atomic)."""
    import tempfile  # (here: an unchanged `build` checks its --out folder, and writes nothing)

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
    renamed: list[Path] = []
    try:
        for target in targets:
            temps.append(temporary_sibling(target))
        yield temps
        for temp in temps if durable else ():
            _fsync(temp)
        for temp, target in zip(temps, targets, strict=True):
            os.replace(temp, target)
            renamed.append(target)
    except OSError as exc:
        target = exc.filename2 or exc.filename  # (a rename's error names its source, the temporary file, first)
        where = display_path(str(target)) if target else "output"
        raise OutputError(f"cannot write {where}: {exc.strerror or exc}", written=renamed) from exc
    except OutputError as exc:
        raise OutputError(str(exc), written=renamed) from exc
    finally:
        for temp in temps:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()


def remove_leftovers(targets: list[Path]) -> None:
    """Delete the temporary files a killed process left next to ``targets``.

    Only safe while holding the build lock: another build's temporaries look the same.
    """
    import glob
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
