"""The source side: the cards folder as an author writes it, read and checked.

Reads deck.yaml and the card files (`folder`, `yamlfile`), checks them against the format of
DESIGN.md §1 (`schema`, `validate`, `lint`, with `chars` and `names`: the characters and names
Anki would read otherwise) and makes plain `Item`s; the text an item holds (`cloze`, `markup`,
`text`) and which items a selection picks (`selection`).

Owns: the YAML format and every message about it. Knows nothing of Anki or the lockfile.
Must not import: anki, identity, engine, printing, export, authoring, apply, cli, api.
"""
