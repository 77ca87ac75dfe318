"""Identity over time (DESIGN.md §4): the lockfile, the reconciliation that gives each item
its note id and modification time, and the repair of a damaged lockfile.

Owns: `cards/studydeck.lock` and its format.
Must not import: engine, printing, export, authoring, apply, cli, api.
"""
