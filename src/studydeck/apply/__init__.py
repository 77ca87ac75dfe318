"""`studydeck apply`: bring a learner's Anki collection to exactly what a package says (DESIGN.md §6).

This package owns everything apply does and knows:
- `manifest`: the `studydeck.json` entry a build puts in the package (the only module that
  `build` imports from here: standard library and studydeck's compile/lockfile/model only);
- `deckpackage`: reading a package (its collection with sqlite3, its manifest);
- `profiles`: finding a profile's collection in Anki's data folder;
- `collection`: the learner's collection through Anki's own backend (the `anki` package,
  the only module that imports it, and only when apply runs);
- `plan`: one `Plan` from what the package and the collection hold (pure: no I/O);
- `execute`: carrying a plan out, one undo-safe backend operation after another;
- `report`: the plan and the result as text;
- `run`: `apply_package`, the one function the command calls.

It must not import the build engine (assemble, rebuild, builder, buildindex, …) or click:
what it needs from a build is inside the package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from studydeck.apply.run import ApplyError, ApplyOptions, ApplyResult, apply_package

__all__ = ["ApplyError", "ApplyOptions", "ApplyResult", "apply_package"]


def __getattr__(name: str) -> Any:
    """`apply_package` and friends, imported on first use: `build` imports `studydeck.apply.manifest`
    and must not pay for the rest."""
    if name in __all__:
        from studydeck.apply import run

        return getattr(run, name)
    raise AttributeError(f"module 'studydeck.apply' has no attribute {name!r}")
