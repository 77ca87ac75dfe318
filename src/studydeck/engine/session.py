"""A cards folder's builds, one after another in one process: what `build` runs once and
`watch` runs after every burst of saves (ONE build path; only how long it lives differs).

Between builds the session remembers what its last build wrote: the state, the index (the
card files' summaries, the lockfile it describes, how the package was compressed) and the
card files' stats and digests. The next build takes them from memory instead of reading and
decoding them again, and reads only the card files whose stat changed. Memory is never
trusted over the disk: each remembered file is used only while its stat is exactly the one
the session wrote (`staleness.still_as_written`), else it is read again, so a file changed
behind the session's back (another `studydeck build`, a deleted output, a restored lockfile)
is seen exactly as a one-shot build would see it. Everything else a build decides (what
changed, which outputs are stale, the crash-safe order of the writes) is the same code for
both.

The session is the one mutable object of the engine: `remembered` is replaced, never changed
in place, after each build that wrote something.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from studydeck.engine import BuildResult, cyclic_gc_paused
from studydeck.source.folder import FileStat

if TYPE_CHECKING:
    from studydeck.anki.apkg import Kept
    from studydeck.anki.notetypes import NoteTypes
    from studydeck.engine.cache import FileCache
    from studydeck.engine.index import BuildIndex
    from studydeck.engine.state import BuildState
    from studydeck.engine.validation import FileTracker


@dataclass(frozen=True)
class Remembered:
    """What a session's last build wrote, with the stat of each file as written: trusted only
    while the file on disk still has that stat."""

    state: BuildState
    state_stat: FileStat | None
    index: BuildIndex | None
    index_stat: FileStat | None
    # The package's collection, segment by segment (`keep_package`): the next package is then
    # made by comparing segments in memory instead of hashing and reading them again.
    package: Kept | None = None


class BuildSession:
    """Builds ``<out_dir>/<deck id>.apkg`` from ``cards_dir``, as often as asked (`build`).

    ``keep_package`` keeps the package's collection in memory between builds (as much memory
    again as the collection: 21 MB at 35,000 items), which spares the next build hashing it;
    a session that builds once has no use for it."""

    def __init__(
        self,
        cards_dir: Path,
        out_dir: Path,
        *,
        notetypes: NoteTypes,
        cache_dir: Path | Literal["default"] | None,
        keep_package: bool = True,
    ) -> None:
        self.cards_dir, self.out_dir = Path(cards_dir), Path(out_dir)
        self.notetypes = notetypes
        self.cache_dir = cache_dir
        self.keep_package = keep_package
        self.remembered: Remembered | None = None
        self._cache: FileCache | None = None

    @property
    def cache(self) -> FileCache:
        if self._cache is None:
            from studydeck.engine.cache import FileCache, default_cache_dir

            cache_dir = self.cache_dir
            self._cache = FileCache(default_cache_dir() if cache_dir == "default" else cache_dir)
        return self._cache

    def build(self, *, now: float | None = None, strict: bool = False, track: FileTracker | None = None) -> BuildResult:
        """One build, atomic: ContentError (nothing written) or OutputError (the previous outputs kept)."""
        from studydeck.diagnostics import ContentError
        from studydeck.engine.exclusive import exclusive_build
        from studydeck.engine.plan import read_inputs, unchanged_result

        try:
            with exclusive_build(self.cards_dir, self.out_dir), cyclic_gc_paused():
                inputs = read_inputs(self.cards_dir, self.out_dir, self.notetypes, self.remembered)
                unchanged = unchanged_result(inputs, strict)
                if unchanged is not None:
                    return unchanged
                from studydeck.engine.build import make_outputs

                clock = time.time() if now is None else now
                result, self.remembered = make_outputs(
                    inputs, self.notetypes, clock, strict, self.cache, track, self.remembered, self.keep_package
                )
                return result
        except ContentError:
            raise  # (nothing was written: what the session remembers is still what is on disk)
        except BaseException:
            self.remembered = None  # a build that failed midway: only the disk knows what it left
            raise
