"""The Anki side: what items become in Anki (note types, notes, media), the collection
they are written into, and the `.apkg` that carries it.

Owns: DESIGN.md §3 (note types) and the GUID rule of §4. Knows no lockfile: note ids and
times are given to it.
Must not import: identity, engine, printing, export, authoring, apply, cli, api.
"""
