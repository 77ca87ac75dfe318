"""`studydeck apply`: bring a learner's Anki collection to exactly what a package says (DESIGN.md §6).

What a build puts in the package for it is `anki.manifest`. Here: `deckpackage` reads a
package (its collection with sqlite3, its manifest); `profiles` finds a profile's collection
in Anki's data folder; `collection` opens the learner's collection through Anki's own
backend (the `anki` package: the only module that imports it, and only when apply runs);
`plan` makes one `Plan` from what the package and the collection hold (no I/O); `execute`
carries it out, one undo-safe backend operation after another; `report` says it as text;
`run.apply_package` is the one function the command calls.

Owns: every change studydeck makes to a learner's collection. What it needs from a build
is inside the package.
Must not import: source, identity, engine, printing, export, authoring, cli, api.
"""
