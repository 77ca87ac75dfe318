"""One build at a time per cards folder, so two builds never interleave their lockfile updates,
and one at a time per output folder, so two decks never interleave their outputs.

The lock is an exclusive ``flock`` on the cards folder itself: nothing is left behind to commit
or clean up, and the kernel releases it when the process ends, however it ends, so a build
killed with SIGKILL never blocks the next one.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from studydeck.diagnostics import OutputError, display_path


@contextlib.contextmanager
def exclusive_build(cards_dir: Path, out_dir: Path | None = None) -> Iterator[None]:
    """Hold the cards folder's build lock, and the output folder's (made if missing) when given;
    OutputError at once if another process holds either.

    The output folder has its own lock because two decks may build into the same one: their
    working files there (the index, the working collection, the state) would interleave and
    fail ("disk I/O error", "no such table: notes"). One build at a time per output folder."""
    with _locked(cards_dir, "on"):
        if out_dir is None:
            yield
            return
        with contextlib.suppress(OSError):  # (a folder that cannot be made is reported by the build)
            Path(out_dir).mkdir(parents=True, exist_ok=True)
        with _locked(out_dir, "writing to"):
            yield


@contextlib.contextmanager
def _locked(folder: Path, doing: str) -> Iterator[None]:
    """An exclusive flock on ``folder`` (none where it cannot be had: no folder, no flock)."""
    if sys.platform == "win32":  # no flock there; builds are still atomic, just not serialised
        yield
        return
    import fcntl

    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:  # a missing folder is reported by loading, with a better message
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(
                f"another studydeck build is running {doing} {display_path(str(folder))}; "
                "wait for it to finish, then try again"
            ) from None
        yield
    finally:
        os.close(fd)
