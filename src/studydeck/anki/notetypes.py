"""The two note types of DESIGN.md §3.

Their ids, names and field lists are frozen: changing a field list would make Anki create a
copy of the note type and refuse to update existing notes ("conflicting"). Templates and CSS
may change; the lockfile then gives the note type a newer modification time so Anki updates it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Literal

BASIC_FIELDS = ("Question", "Answer", "Extra", "Caution", "Source", "Image", "Reverse", "ID")
CLOZE_FIELDS = ("Text", "Extra", "Caution", "Source", "Image", "ID")

# Frozen forever: Anki matches note types by id.
BASIC_ID = 1_731_240_001
CLOZE_ID = 1_731_240_002


@dataclass(frozen=True, slots=True)
class Template:
    name: str
    front: str
    back: str


@dataclass(frozen=True, slots=True)
class NoteType:
    id: int
    name: str
    kind: Literal["basic", "cloze"]
    fields: tuple[str, ...]
    templates: tuple[Template, ...]
    css: str

    def content_hash(self) -> str:
        """Changes whenever anything Anki would need to update changes."""
        data = {
            "name": self.name,
            "fields": self.fields,
            "templates": [(t.name, t.front, t.back) for t in self.templates],
            "css": self.css,
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class NoteTypes:
    basic: NoteType
    cloze: NoteType

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter((self.basic, self.cloze))

    def for_kind(self, kind: str) -> NoteType:
        return self.basic if kind == "basic" else self.cloze


# Shown below the answer on every card: picture, context, caution box, citation, item id.
_DETAILS = """
{{#Image}}<div class="sd-image">{{Image}}</div>{{/Image}}
{{#Extra}}<div class="sd-extra">{{Extra}}</div>{{/Extra}}
{{#Caution}}<div class="sd-caution" role="note">
<div class="sd-caution-title">⚠ Caution</div>{{Caution}}</div>{{/Caution}}
{{#Source}}<div class="sd-source">{{Source}}</div>{{/Source}}
<div class="sd-id">{{ID}}</div>
""".strip()

CSS = """
.card {
  font-family: -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif;
  font-size: 20px;
  line-height: 1.45;
  color: #1d1d1f;
  background: #fbfbf8;
  text-align: left;
  margin: 0;
  padding: 0;
}
.sd-card { max-width: 40em; margin: 0 auto; padding: 18px 16px 24px; }
.sd-prompt { font-size: 1.1em; }
.sd-answer { font-size: 1.1em; font-weight: 600; margin: 0.4em 0 0.8em; }
hr#answer { border: 0; border-top: 1px solid #d0d0c8; margin: 0.9em 0; }
.cloze { font-weight: 700; color: #0a58ca; }
.sd-extra { margin-top: 0.8em; color: #44443f; font-size: 0.9em; }
.sd-caution {
  margin-top: 0.9em; padding: 0.55em 0.8em; font-size: 0.88em;
  background: #fff4d6; border-left: 4px solid #d99a00; border-radius: 4px; color: #4a3600;
}
.sd-caution-title { font-weight: 700; margin-bottom: 0.15em; }
.sd-source { margin-top: 1em; font-size: 0.75em; color: #6b6b63; }
.sd-source a { color: inherit; }
.sd-id { margin-top: 0.4em; font-size: 0.65em; color: #a0a098; font-family: ui-monospace, monospace; }
.sd-image img { max-width: 100%; height: auto; }
ul, ol { padding-left: 1.3em; margin: 0.3em 0; }
p { margin: 0.3em 0; }
@media (max-width: 480px) {
  .card { font-size: 18px; }
  .sd-card { padding: 12px 10px 18px; }
}
.nightMode.card, .night_mode .card, .nightMode .card { color: #e6e6e1; background: #1e1f22; }
.nightMode .cloze, .night_mode .cloze { color: #7fb4ff; }
.nightMode hr#answer, .night_mode hr#answer { border-top-color: #44464b; }
.nightMode .sd-extra, .night_mode .sd-extra { color: #c4c4bd; }
.nightMode .sd-caution, .night_mode .sd-caution { background: #3a2f12; color: #ffe3a3; border-left-color: #e0a400; }
.nightMode .sd-source, .night_mode .sd-source { color: #9a9a92; }
.nightMode .sd-id, .night_mode .sd-id { color: #6d6d66; }
""".strip()

BASIC = NoteType(
    id=BASIC_ID,
    name="studydeck Basic",
    kind="basic",
    fields=BASIC_FIELDS,
    templates=(
        Template(
            "Card 1",
            '<div class="sd-card"><div class="sd-prompt">{{Question}}</div></div>',
            '<div class="sd-card"><div class="sd-prompt">{{Question}}</div>\n<hr id="answer">\n'
            f'<div class="sd-answer">{{{{Answer}}}}</div>\n{_DETAILS}\n</div>',
        ),
        Template(
            "Card 2 (reverse)",
            '{{#Reverse}}<div class="sd-card"><div class="sd-prompt">{{Answer}}</div></div>{{/Reverse}}',
            '<div class="sd-card"><div class="sd-prompt">{{Answer}}</div>\n<hr id="answer">\n'
            f'<div class="sd-answer">{{{{Question}}}}</div>\n{_DETAILS}\n</div>',
        ),
    ),
    css=CSS,
)

CLOZE = NoteType(
    id=CLOZE_ID,
    name="studydeck Cloze",
    kind="cloze",
    fields=CLOZE_FIELDS,
    templates=(
        Template(
            "Cloze",
            '<div class="sd-card"><div class="sd-prompt">{{cloze:Text}}</div></div>',
            f'<div class="sd-card"><div class="sd-prompt">{{{{cloze:Text}}}}</div>\n{_DETAILS}\n</div>',
        ),
    ),
    css=CSS,
)

DEFAULT_NOTE_TYPES = NoteTypes(BASIC, CLOZE)
