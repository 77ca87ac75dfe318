"""studydeck: compile curated YAML question-answer items into Anki decks and quiz sheets."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from studydeck.diagnostics import ContentError, Diagnostic, OutputError
from studydeck.version import __version__

if TYPE_CHECKING:
    from studydeck.api import BuildResult, build, check, compile_cards, load_deck, load_lockfile

_API = {'BuildResult', 'build', 'check', 'compile_cards', 'load_deck', 'load_lockfile'}


def __getattr__(name: str) -> Any:
    """The API functions, imported on first use so that `import studydeck.x` stays cheap."""
    if name in _API:
        from studydeck import api

        return getattr(api, name)
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
