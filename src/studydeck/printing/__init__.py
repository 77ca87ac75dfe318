"""Printed quizzes: what a quiz sheet asks (`quiz`), cut-out flashcards (`flashcards`), their
PDFs rendered by Typst (`pdf`, `templates/`), and the printouts `build` writes (`printouts`).

Owns: the printed layout. Works on validated `Cards`, never on the collection.
Must not import: anki, engine, export, authoring, apply, cli, api.
"""
