"""studydeck: compile curated YAML question-answer items into Anki decks and quiz sheets."""

from studydeck.api import BuildResult, build, check, compile_cards, load_deck, load_lockfile
from studydeck.diagnostics import ContentError, Diagnostic, OutputError
from studydeck.version import __version__

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
