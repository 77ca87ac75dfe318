"""Markdown → HTML for Anki fields, and → plain text for printouts and exports.

What reaches Anki is exactly what the card says, nothing more:
- Raw HTML is escaped, never passed through (DESIGN §1).
- Anki's own markup in card text shows literally: `[sound:x]`, `[anki:tts …]`, `[latex]`,
  `[$]` and `[$$]` would otherwise be play buttons, speech and LaTeX images (`[latex]` runs a
  program on the learner's machine). Their `[` is written as the entity `&#91;`, which shows as
  `[` but is not Anki's syntax any more (`neutralise`).
- MathJax, the deliberate exception: `\\(…\\)` and `\\[…\\]` reach Anki as written, with their
  backslashes (Markdown would read `\\(` as an escaped `(`), and nothing inside them is read as
  Markdown or cloze syntax. Anki typesets them in the reviewer. Printouts and the plain exports
  show them as written.
- In a cloze item's text, the braces Anki reads as cloze syntax are exactly the deletions the text
  writes: every other brace (and `::`) that Markdown outputs (one written as `&#123;` or `\\{`, say)
  is written as an entity, so `&#123;&#123;c2::b&#125;&#125;` shows as written instead of making a
  card `check` never saw, and `{{c1::&#125;}}` is a deletion of `}`.
"""

from __future__ import annotations

import html as html_module
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from studydeck.source.chars import is_blank
from studydeck.source.cloze import Deletion, anki_cloze_numbers, parse_cloze

if TYPE_CHECKING:  # markdown-it is loaded only when some text needs it
    from markdown_it import MarkdownIt
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token

# Text with none of these characters renders to itself, so it skips the parser entirely.
_NEEDS_PARSER = re.compile(r"[*_`\[\]<>&\\!~^\"\n]")
# Control characters would corrupt Anki's field separator (\x1f) or confuse renderers
# (validation refuses them; this is the last line of defence).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SAFE_LINK_SCHEMES = ("http://", "https://")

#: The start of each piece of Anki's own markup: sound and speech (`[sound:…]`, `[anki:tts …]`,
#: `[anki:play:…]`) and LaTeX (`[latex]`, `[$]`, `[$$]`), opening or closing.
_ANKI_MARKUP = re.compile(r"\[(?=sound:|/?anki:|/?latex\]|/?\$\$?\])", re.IGNORECASE)


def neutralise(html: str) -> str:
    """``html`` with Anki's own markup made plain text: `[sound:x]` shows as `[sound:x]`."""
    return _ANKI_MARKUP.sub("&#91;", html) if "[" in html else html


def escape_text(text: str) -> str:
    """Plain text (a source's title, say) as HTML that shows it literally, in Anki too."""
    return neutralise(html_module.escape(text))


def _script_rule(marker: str, tag: str):  # type: ignore[no-untyped-def]
    """`~sub~` and `^sup^` as in Pandoc: no spaces inside; a doubled marker (`~~s~~`) is not one
    and shows as written (it is neither a subscript nor, here, a strikethrough)."""

    def rule(state: StateInline, silent: bool) -> bool:
        src, start = state.src, state.pos
        if src[start] != marker or src[start + 1 : start + 2] in (marker, "") or src[start - 1 : start] == marker:
            return False
        end = src.find(marker, start + 1)
        content = src[start + 1 : end]
        if end == -1 or not content or any(ch.isspace() for ch in content) or src[end + 1 : end + 2] == marker:
            return False
        if not silent:
            state.push(f"{tag}_open", tag, 1).markup = marker
            state.push("text", "", 0).content = content
            state.push(f"{tag}_close", tag, -1).markup = marker
        state.pos = end + 1
        return True

    return rule


def _math_rule(state: StateInline, silent: bool) -> bool:
    """MathJax, `\\(…\\)` inline and `\\[…\\]` displayed: kept whole and as written."""
    src, pos = state.src, state.pos
    if src[pos] != "\\" or src[pos + 1 : pos + 2] not in ("(", "["):
        return False
    closer = "\\)" if src[pos + 1] == "(" else "\\]"
    end = src.find(closer, pos + 2, state.posMax)
    if end == -1:
        return False
    if not silent:
        state.push("math", "", 0).content = src[pos : end + 2]
    state.pos = end + 2
    return True


_CLOZE_OPEN = re.compile(r"\{\{c[0-9]+::")


def _cloze_rule(state: StateInline, silent: bool) -> bool:
    """In a cloze item's text: the markup of its deletions (`{{c1::`, the `::` before a hint, `}}`),
    passed to Anki as written; `state.env` follows whether a deletion is open."""
    env, src, pos = state.env, state.src, state.pos
    if not env.get("cloze"):
        return False
    inside = env["inside"]
    if not inside and (match := _CLOZE_OPEN.match(src, pos)):
        markup, after = match.group(), {"inside": True, "hint": False}
    elif inside and src.startswith("}}", pos):
        markup, after = "}}", {"inside": False, "hint": False}
    elif inside and not env["hint"] and src.startswith("::", pos):
        markup, after = "::", {"inside": True, "hint": True}
    else:
        return False
    if not silent:
        state.push("cloze", "", 0).content = markup
        env.update(after)
    state.pos += len(markup)
    return True


_CLOZE_SYNTAX = str.maketrans({"{": "&#123;", "}": "&#125;"})


def _text(renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """Text, escaped; in a cloze item, its braces and `::` too (only `_cloze_rule`'s are syntax)."""
    from markdown_it.common.utils import escapeHtml

    text = escapeHtml(tokens[idx].content)
    if env.get("cloze"):
        text = text.translate(_CLOZE_SYNTAX).replace("::", "&#58;&#58;")
    return text


def _raw(renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """Markup passed on as written (HTML-escaped): cloze syntax and MathJax."""
    from markdown_it.common.utils import escapeHtml

    return escapeHtml(tokens[idx].content)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable("image")  # pictures come through the `image:` key only, checked and packaged
    md.inline.ruler.before("escape", "math", _math_rule)
    md.inline.ruler.before("escape", "cloze", _cloze_rule)
    md.inline.ruler.before("emphasis", "sub", _script_rule("~", "sub"))
    md.inline.ruler.before("emphasis", "sup", _script_rule("^", "sup"))
    md.add_render_rule("text", _text)
    md.add_render_rule("math", _raw)
    md.add_render_rule("cloze", _raw)
    md.validateLink = lambda url: url.strip().lower().startswith(SAFE_LINK_SCHEMES)  # type: ignore[method-assign]
    return md


def to_html(text: str, *, cloze: bool = False) -> str:
    """Render an item's Markdown text as safe HTML; one line stays inline (no <p>). With ``cloze``,
    the text is a cloze item's: its deletions are the only cloze syntax in the result."""
    text = _CONTROL.sub("", text).strip()
    if not _NEEDS_PARSER.search(text):
        return text
    md = _parser()
    env = {"cloze": cloze, "inside": False, "hint": False}
    if "\n" in text:
        return neutralise(str(md.render(text, env)).strip())
    return neutralise(str(md.renderInline(text, env)))


_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>")
_START = re.compile(r'\bstart="(\d+)"')


def _layout(html: str) -> str:
    """``html`` as the lines a reader sees, tags removed and entities still escaped: a line per
    paragraph, line break and list entry; entries of a numbered list numbered, others bulleted."""
    parts: list[str] = []
    lists: list[list[int]] = []  # per open list: [numbered?, next number]
    pos = 0
    for tag in _TAG.finditer(html):
        parts.append(html[pos : tag.start()])
        pos = tag.end()
        closing, name = tag.group(1), tag.group(2).lower()
        if name in ("ol", "ul"):
            if closing and lists:
                lists.pop()
            elif not closing:
                start = _START.search(tag.group(3))
                lists.append([name == "ol", int(start.group(1)) if start else 1])
        elif name == "li" and not closing:
            if lists and lists[-1][0]:
                parts.append(f"{lists[-1][1]}. ")
                lists[-1][1] += 1
            else:
                parts.append("• ")
        elif name == "br" or (closing and name in ("p", "li")):
            parts.append("\n")
    parts.append(html[pos:])
    return "".join(parts)


def to_plain(text: str) -> str:
    """The text a reader sees, without Markdown punctuation (for PDFs and exports)."""
    return html_module.unescape(_layout(to_html(text))).strip()


def map_plain_deletions(text: str, show: Callable[[Deletion], str]) -> str:
    """A cloze item's text as a reader sees it (`to_plain`), each deletion replaced by
    ``show(deletion)``, whose text and hint are plain text too."""
    laid_out = _layout(to_html(text, cloze=True))  # (its braces, bar the deletions', still escaped)
    unescape = html_module.unescape
    parts: list[str] = []
    pos = 0
    for d in parse_cloze(laid_out)[0]:
        shown = Deletion(d.number, unescape(d.text), unescape(d.hint) if d.hint else None, d.start, d.end)
        parts += [unescape(laid_out[pos : d.start]), show(shown)]
        pos = d.end
    parts.append(unescape(laid_out[pos:]))
    return "".join(parts).strip()


def plain_deletions(text: str) -> list[Deletion]:
    """A cloze item's deletions, their text and hint as a reader sees them (positions: of the HTML)."""
    found: list[Deletion] = []
    map_plain_deletions(text, lambda d: found.append(d) or "")  # type: ignore[func-returns-value]
    return found


def shows_nothing(text: str) -> bool:
    """Whether ``text``, rendered, shows nothing at all (`&nbsp;`, `[](https://…)`, `#`)."""
    return bool(_NEEDS_PARSER.search(text)) and is_blank(to_plain(text))


def cloze_rendering_problem(text: str, deletions: Sequence[Deletion]) -> str | None:
    """What Anki would read differently from what a valid cloze text (with these ``deletions``)
    writes, once rendered: a deletion lost (inside a link's address or title, or a reference
    definition, where Markdown changes or drops it) or one that shows nothing. None if nothing."""
    if not _NEEDS_PARSER.search(text):  # (rendered as it is: Anki reads the deletions the text writes)
        return None
    html = to_html(text, cloze=True)
    written = sorted(d.number for d in deletions)
    found = sorted(anki_cloze_numbers(html))
    in_tag = any(_CLOZE_OPEN.search(tag.group()) for tag in _TAG.finditer(html))
    if found != written or in_tag:
        shown = ", ".join(f"c{n}" for n in found) or "none"
        return (
            "a cloze deletion inside a link's address or title (or a link reference) is lost once the Markdown "
            f"is rendered: Anki would find {shown} where the text writes {', '.join(f'c{n}' for n in written)}; "
            "put the deletion in the text (or the link's text)"
        )
    for problem in parse_cloze(_layout(html))[1]:  # (a deletion of `&nbsp;` or `[](…)` is empty)
        return f"{problem.message} once its Markdown is rendered"
    return None
