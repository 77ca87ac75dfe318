"""studydeck: compile curated YAML question-answer items into Anki decks and quiz sheets."""

from studydeck.api import BuildResult, build, check, compile_cards, load_deck, load_lockfile
from studydeck.diagnostics import ContentError, Diagnostic, OutputError

__all__ = [
    "BuildResult",
    "ContentError",
    "Diagnostic",
    "OutputError",
    "build",
    "check",
    "compile_cards",
    "load_deck",
    "load_lockfile",
]
__version__ = "0.1.0"
