"""What characters do to the places text goes: control characters, which Anki and every export
would corrupt or drop, and invisible characters, which make text that looks empty.

Kept free of the YAML machinery: the cloze parser and the printing use it too.
"""

from __future__ import annotations

import re
import unicodedata

#: Characters no value may hold: C0 and C1 control characters, DEL, and halves of a surrogate
#: pair. Anki separates a note's fields with \x1f (one inside a field makes Anki refuse the whole
#: deck: "note has 9 fields, expected 8"), tags with spaces and deck levels with \x1f; exports,
#: XML and terminals garble or drop them. Tab and line feed are allowed in multi-line text
#: (`TEXT_CONTROL`); a one-line value (a name, a tag, a title, a url) holds neither (`CONTROL`).
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def control_character(text: str, *, one_line: bool) -> str | None:
    """Why ``text`` may not be used as it is (a control character in it), or None."""
    found = (CONTROL if one_line else TEXT_CONTROL).search(text)
    if found is None:
        return None
    char = found.group()
    if char in "\n\r" and one_line:
        return "must be one line (it holds a line break)"
    return f"contains the control character U+{ord(char):04X} (at character {found.start() + 1}); delete it"


# Letters that show as nothing (Hangul fillers, the Braille blank, the combining grapheme joiner).
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")
# Spaces, controls, formatting characters (zero-width space and joiners, direction marks, the
# soft hyphen, the byte-order mark) and marks that combine with a letter that is not there.
_BLANK_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Cn", "Mn", "Me"})


def is_blank(text: str) -> bool:
    """Whether ``text`` shows nothing at all: `"\\u200b"` is as empty as `""`."""
    for char in text:
        if char.isspace() or char in _BLANK_LETTERS:
            continue
        if unicodedata.category(char) not in _BLANK_CATEGORIES:
            return False
    return True


def name_key(name: str) -> str:
    """What Anki compares tag and deck names by: case ignored, Unicode composed (NFC)."""
    return unicodedata.normalize("NFC", name).casefold()
