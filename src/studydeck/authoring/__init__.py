"""Tools for authors: a new project (`scaffold`), what changed (`diff`), what the deck holds
(`stats`), and the file watcher behind `studydeck watch` (`watch`).

Owns: nothing the outputs depend on. Reads the cards through the engine's one pass.
Must not import: apply, cli, api.
"""
