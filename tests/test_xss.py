"""Content safety: nothing from the YAML reaches Anki as executable HTML (DESIGN.md §1).

An XSS corpus goes into every text field of a basic and a cloze item and into deck.yaml's
description and source; the deck is built, imported into the real Anki backend, and every
note field, the rendered question and answer of every card, and the deck description are
parsed as HTML: only harmless tags, no event handlers or inline styles, links to http(s) only,
pictures only from the package's own media.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from anki_backend import import_package, new_collection
from helpers import CardsFolder

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">styled</div>',
    '<a href="javascript:alert(1)">raw link</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '"><script>alert(1)</script>',
    "' onmouseover='alert(1)",
    "[md link](javascript:alert(1))",
    "[mixed case](JaVaScRiPt:alert(1))",
    "[entity](&#106;avascript:alert(1))",
    "[spaced]( javascript:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[vb](vbscript:msgbox(1))",
    "<javascript:alert(1)>",
    '<https://example.org/" onmouseover="alert(1)>',
    '[quoted](https://example.org/"onmouseover="alert(1))',
    "![picture](javascript:alert(1))",
    "![picture](https://example.org/x.png)",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "&#x3C;img src=x onerror=alert(1)&#x3E;",
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    "<!-- <script>alert(1)</script> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "{{c1::<script>alert(1)</script>}}",
]
CORPUS = "\n\n".join(XSS)
ONE_LINE = " ".join(x for x in XSS if "\n" not in x and "{{" not in x)

ALLOWED_TAGS = {
    *("a", "b", "blockquote", "br", "code", "div", "em", "hr", "i", "img", "li", "ol", "p", "pre", "span"),
    *("strong", "sub", "sup", "ul", "h1", "h2", "h3", "h4", "h5", "h6"),
}
ALLOWED_ATTRIBUTES = {"class", "id", "role", "href", "src", "alt", "dir"}
MEDIA_NAME = re.compile(r"sd-[0-9a-f]{20}\.[a-z]+")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def assert_inert(html: str, where: str) -> None:
    """``html`` can show text and safe markup, and nothing else."""
    parser = _Collector()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, f"<{tag}> in {where}: {html}"
        for name, value in attrs:
            assert name in ALLOWED_ATTRIBUTES or name.startswith("data-"), f"{name}= on <{tag}> in {where}: {html}"
            assert not name.startswith("on") and name != "style"
            if name == "href":
                assert (value or "").strip().lower().startswith(("http://", "https://")), f"href={value!r} in {where}"
            if name == "src":
                assert MEDIA_NAME.fullmatch(value or ""), f"src={value!r} in {where}"


def hostile_folder(root: Path) -> CardsFolder:
    folder = CardsFolder(root)
    folder.write(
        "deck.yaml",
        json.dumps(
            {
                "name": "XSS <script>alert(1)</script>",
                "id": "xss-deck",
                "description": CORPUS,
                "sources": {
                    "src": {
                        "title": ONE_LINE,
                        "publisher": ONE_LINE,
                        "url": 'https://example.org/"><script>alert(1)</script>',
                    }
                },
            }
        ),
    )
    folder.write("media/picture.png", b"\x89PNG\r\n\x1a\n")
    hostile_item = {"extra": CORPUS, "caution": CORPUS, "wrong": XSS[:5], "source": {"key": "src", "section": ONE_LINE}}
    items = [
        {"id": "basic", "category": "mechanism", "q": CORPUS, "a": CORPUS, "reverse": True, **hostile_item},
        {"id": "one-line", "category": "mechanism", "q": ONE_LINE, "a": ONE_LINE, "image": "media/picture.png"},
        {
            "id": "cloze",
            "category": "prognosis",
            "cloze": f"Before {{{{c1::{ONE_LINE}::<b onclick=alert(1)>hint</b>}}}} after {ONE_LINE}",
            **hostile_item,
        },
    ]
    folder.write("hostile.yaml", json.dumps({"deck": "Sub <img src=x onerror=alert(1)>", "items": items}))
    return folder


def test_xss_corpus_is_inert_in_the_real_anki_collection(tmp_path: Path) -> None:
    folder = hostile_folder(tmp_path / "deck")
    result = folder.run("build")
    assert result.exit_code == 0, result.output
    col = new_collection(tmp_path / "anki")
    try:
        log = import_package(col, folder.out / "xss-deck.apkg")
        assert len(log.new) == 3
        cards = 0
        for note_id in col.find_notes(""):
            note = col.get_note(note_id)
            for name, value in note.items():
                assert_inert(value, f"field {name} of {note['ID']}")
            for card in note.cards():
                css = card.note_type()["css"]
                for side, rendered in (("question", card.question()), ("answer", card.answer())):
                    style = f"<style>{css}</style>"
                    assert rendered.startswith(style)  # the note type's own CSS, nothing from the YAML
                    assert_inert(rendered.removeprefix(style), f"{side} of a card of {note['ID']}")
                cards += 1
        assert cards == 4  # basic and its reverse, one-line, the cloze (one deletion)
        deck = col.decks.by_name("XSS <script>alert(1)</script>")
        assert deck is not None
        assert_inert(deck["desc"], "the deck description")
        # The text is still there for the learner to read, shown literally.
        basic = col.get_note(col.find_notes('"ID:basic"')[0])
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in basic["Question"]
    finally:
        col.close()
