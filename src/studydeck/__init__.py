"""studydeck: compile curated YAML question-answer items into Anki decks and quiz sheets.

The data flows one way, and the packages follow it: `source` (the cards folder, read and
checked) → `anki` (notes, the collection, the `.apkg`) with `identity` (the lockfile) →
`engine` (the one pass, and the incremental build) → `printing` and `export` (PDFs and other
formats); `authoring` holds the authors' tools, `cli` the command, and `api` the functions
every command is a thin layer over. `model` is the plain data between the stages.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from studydeck.diagnostics import ContentError, Diagnostic, OutputError
from studydeck.version import __version__

if TYPE_CHECKING:
    from studydeck.api import BuildResult, build, check, compile_cards, load_deck, load_lockfile

_API = {"BuildResult", "build", "check", "compile_cards", "load_deck", "load_lockfile"}
#: The modules the README has named since before they moved into packages: `from studydeck import stats`.
_MODULES = {
    "diff": "studydeck.authoring.diff",
    "pdf": "studydeck.printing.pdf",
    "quiz": "studydeck.printing.quiz",
    "scaffold": "studydeck.authoring.scaffold",
    "stats": "studydeck.authoring.stats",
    "watch": "studydeck.authoring.watch",
}


def __getattr__(name: str) -> Any:
    """The API functions and the modules above, imported on first use so that `import studydeck.x` stays cheap."""
    if name in _API:
        from studydeck import api

        return getattr(api, name)
    if name in _MODULES:
        return importlib.import_module(_MODULES[name])
    raise AttributeError(f"module 'studydeck' has no attribute {name!r}")


__all__ = [
    "BuildResult",
    "ContentError",
    "Diagnostic",
    "OutputError",
    "__version__",
    "build",
    "check",
    "compile_cards",
    "load_deck",
    "load_lockfile",
]
