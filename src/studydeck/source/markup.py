"""Markdown → HTML for Anki fields. Raw HTML is escaped, never passed through (DESIGN §1)."""

from __future__ import annotations

import html as html_module
import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # markdown-it is loaded only when some text needs it
    from markdown_it import MarkdownIt
    from markdown_it.rules_inline import StateInline

# Text with none of these characters renders to itself, so it skips the parser entirely.
_NEEDS_PARSER = re.compile(r"[*_`\[\]<>&\\!~^\"\n]")
# Control characters would corrupt Anki's field separator (\x1f) or confuse renderers.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SAFE_LINK_SCHEMES = ("http://", "https://")


def _script_rule(marker: str, tag: str):  # type: ignore[no-untyped-def]
    """`~sub~` and `^sup^` as in Pandoc: no spaces inside, not doubled."""

    def rule(state: StateInline, silent: bool) -> bool:
        src, start = state.src, state.pos
        if src[start] != marker or src[start + 1 : start + 2] in (marker, ""):
            return False
        end = src.find(marker, start + 1)
        content = src[start + 1 : end]
        if end == -1 or not content or any(ch.isspace() for ch in content):
            return False
        if not silent:
            state.push(f"{tag}_open", tag, 1).markup = marker
            state.push("text", "", 0).content = content
            state.push(f"{tag}_close", tag, -1).markup = marker
        state.pos = end + 1
        return True

    return rule


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable("image")  # pictures come through the `image:` key only, checked and packaged
    md.inline.ruler.before("emphasis", "sub", _script_rule("~", "sub"))
    md.inline.ruler.before("emphasis", "sup", _script_rule("^", "sup"))
    md.validateLink = lambda url: url.strip().lower().startswith(SAFE_LINK_SCHEMES)  # type: ignore[method-assign]
    return md


def to_html(text: str) -> str:
    """Render an item's Markdown text as safe HTML; one line stays inline (no <p>)."""
    text = _CONTROL.sub("", text).strip()
    if not _NEEDS_PARSER.search(text):
        return text
    md = _parser()
    if "\n" in text:
        return str(md.render(text)).strip()
    return str(md.renderInline(text))


def to_plain(text: str) -> str:
    """The text a reader sees, without Markdown punctuation (for PDFs and exports)."""
    html = to_html(text)
    html = re.sub(r"<br\s*/?>|</p>|</li>", "\n", html)
    html = re.sub(r"<li>", "• ", html)
    html = re.sub(r"<[^>]+>", "", html)
    return html_module.unescape(html).strip()
