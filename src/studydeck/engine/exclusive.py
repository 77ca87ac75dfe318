"""One build at a time per cards folder, so two builds never interleave their lockfile updates.

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
def exclusive_build(cards_dir: Path) -> Iterator[None]:
    """Hold the cards folder's build lock; OutputError at once if another process holds it."""
    if sys.platform == "win32":  # no flock there; builds are still atomic, just not serialised
        yield
        return
    import fcntl

    try:
        fd = os.open(cards_dir, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:  # a missing folder is reported by loading, with a better message
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(
                f"another studydeck build is running on {display_path(str(cards_dir))}; "
                "wait for it to finish, then try again"
            ) from None
        yield
    finally:
        os.close(fd)
