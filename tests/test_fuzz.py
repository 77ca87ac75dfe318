"""Fuzzing: whatever is in the cards folder, studydeck builds or exits 1 with located errors.

Random YAML documents, random text and bytes, and random mutations of valid files (deck.yaml,
card files, the lockfile) go through the API and the CLI. A traceback, an exit status other
than 0 or 1, a stray line on stderr, a position past the end of its file, or a failed build
that touched the previous outputs fails the test. This file runs a bounded number of
examples with a fixed seed; `scripts/fuzz.py` runs it for longer with random seeds.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from studydeck.diagnostics import ContentError, Severity
from studydeck.model import DEFAULT_CATEGORIES
from studydeck.source.validate import ID_PATTERN

from helpers import DECK_YAML, DRUGS_YAML, CardsFolder, dedent, diagnostics_printed, unquoted_path, within_seconds

#: In CI: a fixed set of examples (about 30 s in all on 2 cores), so a run never flakes on a new
#: one. scripts/fuzz.py sets STUDYDECK_FUZZ_EXAMPLES, and gets fresh random examples every round.
EXAMPLES = int(os.environ.get("STUDYDECK_FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize="STUDYDECK_FUZZ_EXAMPLES" not in os.environ,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

CLOZE_YAML = dedent(
    """
    deck: Prognosis
    tags: [cidp, "drug::ivig"]
    items:
      - id: cloze-one
        category: prognosis
        cloze: "About {{c1::90%}} respond; {{c2::10%::a tenth}} do not."
        extra: "**Bold**, *italic*, H~2~O, x^2^, [link](https://example.org)"
        caution: The article prints 0.4 mg/kg.
      - id: basic-image
        category: mechanism
        q: What does the trace show?
        a: Conduction block.
        image: media/trace.png
        source: {key: src, section: Figures}
    """
)
FILES = {"deck.yaml": DECK_YAML, "drugs.yaml": DRUGS_YAML, "cloze.yaml": CLOZE_YAML}
KEYS = [
    *("name", "id", "description", "sources", "categories", "title", "url", "reviewed", "publisher"),
    *("deck", "source", "tags", "items", "category", "q", "a", "cloze", "extra", "caution"),
    *("image", "wrong", "reverse", "key", "section", "ID", "Q", "itmes", "categroy", "<<", ""),
]
VALUES = [
    *("[a, b]", "{x: 1}", "1", "0.10", "true", "null", "~", "2025-07-04", '""', "''", "[]", "{}"),
    *("&anchor x", "*anchor", "!!python/object/apply:os.system [echo]", "!custom x", "!!binary aGk="),
    *('"{{c1::}}"', '"{{c0::x}}"', '"{{c1::a {{c2::b}}}}"', '"{{c1::open"', '"close}}"', "|\n  block"),
    *("dosing", "prognosis", "DOSING", "src", "nosuch", "media/trace.png", "/etc/passwd", "../x.png", "media"),
    *("<script>alert(1)</script>", "javascript:alert(1)", "https://example.org", "Ivig-Dose", "ivig-dose"),
]
SNIPPETS = [
    *("\t", ": ", "- ", "  ", "&a ", "*a", "<<: *a\n", "? ", "{", "}", "[", "]", "'", '"', "#", ","),
    *("---\n", "...\n", "%YAML 1.1\n", "!", "|", ">", "\r\n", "\r", "\ufeff", "\x00", "\x85", "\u2028"),
    *("{{c1::", "}}", "::", "\\", "%", "@", "`", "é", "😀", "\n", "id: ivig-dose\n", "items:\n"),
]


def _scalars() -> st.SearchStrategy[Any]:
    return (
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats()
        | st.dates()
        | st.text(max_size=30)
        | st.sampled_from(KEYS + [v for v in VALUES if "\n" not in v])
    )


yaml_values = st.recursive(
    _scalars(),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), children, max_size=6)
    ),
    max_leaves=30,
)
# Documents shaped like card files, so that validation and compiling (not only parsing) are exercised.
any_item = st.dictionaries(st.sampled_from(KEYS), _scalars() | st.lists(_scalars(), max_size=3), max_size=8)
words = st.text(min_size=1, max_size=60)
tags = st.lists(st.from_regex(r"[a-z][a-z0-9:_-]{0,12}", fullmatch=True), max_size=3)
valid_basic_item = st.fixed_dictionaries(
    {
        "id": st.from_regex(ID_PATTERN, fullmatch=True),
        "category": st.sampled_from(DEFAULT_CATEGORIES),
        "q": words,
        "a": words,
    },
    optional={
        "extra": words,
        "caution": words,
        "tags": tags,
        "wrong": st.lists(words, max_size=3),
        "reverse": st.booleans(),
    },
)
valid_cloze_item = st.fixed_dictionaries(
    {
        "id": st.from_regex(ID_PATTERN, fullmatch=True),
        "category": st.sampled_from(DEFAULT_CATEGORIES),
        "cloze": st.tuples(words, words, words).map(lambda t: f"{t[0]} {{{{c1::{t[1]}}}}} {t[2]}"),
    },
    optional={"extra": words, "source": st.just("src") | st.just({"key": "src", "section": "Intro"})},
)
valid_deck = st.fixed_dictionaries(
    {
        "name": words,
        "id": st.from_regex(ID_PATTERN, fullmatch=True),
        "sources": st.fixed_dictionaries(
            {"src": st.fixed_dictionaries({"title": words}, optional={"url": words.map("https://".__add__)})}
        ),
    },
    optional={"description": words},
)
card_file_like = st.fixed_dictionaries(
    {"items": st.lists(any_item | valid_basic_item | valid_cloze_item, max_size=4)},
    optional={"deck": _scalars(), "source": _scalars(), "tags": yaml_values},
)


@st.composite
def mutations(draw: st.DrawFn, text: str) -> bytes:
    """``text`` after one to four random edits of the kinds authors and merges make."""
    data = text.encode()
    for _ in range(draw(st.integers(1, 3))):
        lines = data.split(b"\n")
        kind = draw(st.sampled_from(["flip", "delete", "duplicate", "swap", "key", "value", "text", "insert"]))
        at = draw(st.integers(0, max(len(lines) - 1, 0)))
        if kind == "flip" and data:
            pos = draw(st.integers(0, len(data) - 1))
            data = data[:pos] + bytes([draw(st.integers(0, 255))]) + data[pos + 1 :]
            continue
        if kind == "delete":
            del lines[at]
        elif kind == "duplicate":
            lines.insert(at, lines[at])
        elif kind == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif kind in ("key", "value", "text") and b":" in lines[at]:
            key, _, value = lines[at].partition(b":")
            if kind == "key":
                indent = key[: len(key) - len(key.lstrip(b" -"))]
                key = indent + draw(st.sampled_from(KEYS)).encode()
            elif kind == "value":
                value = b" " + draw(st.sampled_from(VALUES)).encode()
            else:  # any text at all, as a JSON string (which YAML reads as a double-quoted one)
                value = b" " + json.dumps(draw(st.text(max_size=40))).encode()
            lines[at] = key + b":" + value
        else:
            line = lines[at]
            pos = draw(st.integers(0, len(line)))
            lines[at] = line[:pos] + draw(st.sampled_from(SNIPPETS)).encode() + line[pos:]
        data = b"\n".join(lines)
    return data


@functools.cache
def valid_lockfile() -> str:
    """The lockfile a build of FILES writes (built once)."""
    with _cards_folder() as folder:
        folder.build(now=1_750_000_000.0)
        return folder.lockfile.read_text(encoding="utf-8")


@contextlib.contextmanager
def _cards_folder(files: dict[str, bytes] | None = None) -> Iterator[CardsFolder]:
    """A fresh folder with FILES (and ``files`` over them); in memory where possible, for speed.

    It has its own studydeck cache, so the API's build fills it and the CLI's build reads it.
    """
    shm = Path("/dev/shm")
    with (
        tempfile.TemporaryDirectory(dir=shm if shm.is_dir() and os.access(shm, os.W_OK) else None) as tmp,
        _environment("STUDYDECK_CACHE_DIR", str(Path(tmp, "cache"))),
    ):
        folder = CardsFolder(Path(tmp))
        for rel, text in FILES.items():
            folder.write(rel, text.encode())
        folder.write("media/trace.png", b"\x89PNG\r\n\x1a\n not really a picture")
        for rel, data in (files or {}).items():
            folder.write(rel, data)
        yield folder


@contextlib.contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            del os.environ[name]
        else:
            os.environ[name] = old


#: A build of a few items takes well under a second; one that runs this long is a hang.
HANG_SECONDS = 60


def check_build(files: dict[str, bytes], inspect: Callable[[CardsFolder], None] | None = None) -> list[str]:
    """The property: a valid build, or exit 1 with located errors and nothing touched; never a
    hang. A valid build's outputs also pass ``inspect``. Returns the diagnostic lines the CLI printed."""
    with _cards_folder(files) as folder, within_seconds(2 * HANG_SECONDS):
        before = folder.snapshot()
        try:
            folder.build()
        except ContentError as exc:
            built = False
            assert any(d.severity is Severity.ERROR for d in exc.diagnostics)
            for d in exc.diagnostics:
                _assert_within_file(d.location.path, d.location.line, folder)
            assert folder.snapshot() == before, "a failed build changed the outputs"
        else:
            built = True
            if inspect is not None:
                inspect(folder)
        event("valid build" if built else "exit 1")
        result = folder.run("build")
        assert result.exit_code == (0 if built else 1), result.output
        printed = diagnostics_printed(result)
        if not built:
            assert any(m["severity"] == "error" for m in printed)
        for match in printed:
            _assert_within_file(str(folder.root / unquoted_path(match["path"])), int(match["line"] or 0), folder)
        return [match.group(0) for match in printed]


# What YAML counts as a line break (NEL and the Unicode separators too).
LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


def _assert_within_file(path: str, line: int, folder: CardsFolder) -> None:
    """A reported position exists: the file is in the folder and has that many lines."""
    file = Path(path)
    assert file.resolve().is_relative_to(folder.root.resolve()), path
    if line:
        text = file.read_bytes().decode("utf-8", errors="replace")
        lines = len(LINE_BREAK.findall(text)) + 1
        assert line <= lines, f"{path}:{line} is past the end of the file ({lines} lines)"


@FUZZ
@given(document=yaml_values | card_file_like)
def test_random_yaml_document_as_card_file(document: Any) -> None:
    check_build({"drugs.yaml": yaml.safe_dump(document, allow_unicode=True).encode()})


@FUZZ
@given(deck=valid_deck, items=st.lists(valid_basic_item | valid_cloze_item, min_size=1, max_size=6))
def test_valid_shapes_with_arbitrary_text(deck: dict[str, Any], items: list[dict[str, Any]]) -> None:
    check_build(
        {
            "deck.yaml": yaml.safe_dump(deck, allow_unicode=True).encode(),
            "drugs.yaml": yaml.safe_dump({"items": items}, allow_unicode=True).encode(),
        }
    )


@FUZZ
@given(document=yaml_values)
def test_random_yaml_document_as_deck_file(document: Any) -> None:
    check_build({"deck.yaml": yaml.safe_dump(document, allow_unicode=True).encode()})


@FUZZ
@given(data=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_random_bytes_as_card_file(data: bytes) -> None:
    check_build({"drugs.yaml": data})


@FUZZ
@given(data=st.sampled_from(sorted(FILES)).flatmap(lambda rel: st.tuples(st.just(rel), mutations(FILES[rel]))))
def test_mutated_valid_file(data: tuple[str, bytes]) -> None:
    rel, mutated = data
    check_build({rel: mutated})


@FUZZ
@given(data=st.data())
def test_mutated_lockfile(data: st.DataObject) -> None:
    check_build({"studydeck.lock": data.draw(mutations(valid_lockfile()))})


# -- long text with nowhere to break (issue 16: 1,512 Japanese characters hung every build) ----

#: These build printouts of long text (Typst), so CI runs fewer of them.
SLOW_EXAMPLES = max(EXAMPLES // 15, 5)
FUZZ_SLOW = settings(FUZZ, max_examples=SLOW_EXAMPLES)
#: Runs that no space breaks: scripts without spaces, one long "word", marks that join characters.
UNBREAKABLE_ALPHABETS = [
    "神経障害の治療では免疫グロブリンを使う。、",  # Japanese, with and without clause ends
    "абвгдежзийклмнопрстуфхцчшщыэюя",
    "abcdefghijklmnopqrstuvwxyz/:.?=&_",  # a long link
    "e\u0301\u0308a\u0327",  # letters and combining accents
    "\U0001f1ef\U0001f1f5\U0001f468\u200d\U0001f469\u200d\U0001f467\U0001f44d\U0001f3fd",  # flags, joined emoji
    "…",  # the continuation mark itself
]
long_unbreakable = st.tuples(
    st.sampled_from(UNBREAKABLE_ALPHABETS).flatmap(lambda letters: st.text(letters, min_size=1, max_size=8)),
    st.integers(60, 400),
    st.sampled_from(["", " ", "\n", "\u3000", "\u00a0"]),
).map(lambda t: (t[0] * t[1])[:3000] + t[2])


@FUZZ_SLOW
@given(
    text=long_unbreakable,
    where=st.sampled_from(["q", "a", "extra", "caution", "cloze"]),
    short=words.filter(lambda w: w.strip() != ""),
)
def test_long_unbreakable_text(text: str, where: str, short: str) -> None:
    item: dict[str, Any] = {"id": "long-text", "category": "mechanism", "q": short, "a": short}
    if where == "cloze":
        del item["q"], item["a"]
        item["cloze"] = f"{text} {{{{c1::{short}}}}} {text}"
    else:
        item[where] = text
    check_build({"long.yaml": yaml.safe_dump({"items": [item]}, allow_unicode=True).encode()})


# -- aliases that repeat text (issue 16: a 110 KB file expanded to 20 MB and took 5 GB) ---------

#: Past this, aliases add more than a card file may (yamlfile.MIN_ALIAS_BYTES_LIMIT), with room
#: for the anchors' own syntax; below it the aliases are built. Between, a build would be slow.
ALIAS_REFUSED = 4 * 2**20 + 2**16
ALIAS_CHEAP = 2**15
#: How the first item anchors the text, and what the other items' aliases then stand for.
ALIAS_SHAPES = {
    "scalar": ("    a: &u {text}\n", "u", 1),
    "quoted": ('    a: &u "{text}"\n', "u", 1),
    "block": ("    a: &u |\n      {text}\n", "u", 1),
    "list": ("    a: A.\n    wrong: &w [{text}, {text}]\n", "w", 2),
    "nested": ("    a: A.\n    caution: &u {text}\n    wrong: &w [*u, B.]\n", "w", 1),  # an alias in an anchor
}


@st.composite
def alias_documents(draw: st.DrawFn) -> tuple[bytes, int]:
    """A card file whose items repeat the first one's long text through aliases (as answers,
    cautions or distractors), and the bytes the aliases add: either cheap to build, or past
    the limit; never in between, where a build is correct but slow."""
    shape = draw(st.sampled_from(sorted(ALIAS_SHAPES)))
    anchored, name, copies = ALIAS_SHAPES[shape]
    length = draw(st.integers(1, 150_000))
    text = (draw(st.sampled_from(["word ", "x", "é", "日"])) * length)[:length].strip() or "x"
    count = draw(st.integers(1, 300))
    each = copies * len(text.encode())
    if ALIAS_CHEAP < each * count <= ALIAS_REFUSED:
        count = ALIAS_REFUSED // each + 1 if each > 2**16 else ALIAS_CHEAP // each
    key = {"u": draw(st.sampled_from(["a", "caution"])), "w": "wrong"}[name]
    lines = ["items:", "  - id: i0", "    category: mechanism", "    q: Q0?", anchored.format(text=text).rstrip("\n")]
    for n in range(1, count + 1):
        lines += [f"  - id: i{n}", "    category: mechanism", f"    q: Q{n}?"]
        lines += [f"    a: *{name}"] if key == "a" else [f"    a: A{n}.", f"    {key}: *{name}"]
    return ("\n".join(lines) + "\n").encode(), each * count


@FUZZ_SLOW
@given(document=alias_documents())
def test_aliases_repeating_text(document: tuple[bytes, int]) -> None:
    data, added = document
    printed = check_build({"aliases.yaml": data})
    refused = [line for line in printed if "YAML aliases expand this document by over" in line]
    event("refused" if refused else "built" if not printed else f"other errors: {printed[0].split(': ', 2)[-1][:40]}")
    if added > ALIAS_REFUSED:
        assert refused and "aliases.yaml:" in refused[0], printed
    else:
        assert not refused, printed


# -- what reaches Anki and the exports (issue 16, items 5 to 7 and 15) ----------------------------
#
# The fuzzing above only asked for a build or located errors, and 6,000 examples found nothing
# while a \x1f in a source's section made Anki refuse the whole deck. These tests look at what a
# valid build made: every string a card or deck.yaml can hold, from pieces that break fields,
# tags, deck names and exports, that Anki reads as its own markup, or that turn into cloze syntax.

HOSTILE_PIECES = [
    *("\x00", "\x01", "\x1e", "\x1f", "\x7f", "\x85", "\x9f", "\t", "\n", "\r", "\u2028", "\u200b", "\ufeff"),
    *("\u3000", "[sound:a.mp3]", "[SOUND:b.ogg]", "[anki:tts lang=en_US]", "[/anki:tts]", "[anki:play:q:0]"),
    *("[latex]", "[/latex]", "[$]", "[/$]", "[$$]", "[/$$]", "\\(", "\\)", "\\[", "\\]", "&#123;", "&#125;"),
    *("&lbrace;", "\\{", "&nbsp;", "&#x1f;", "{", "}", "::", ":", " ", "x", "1", "é", "e\u0301", "=", "+"),
    *("-", "@", "*", "_", "~", "^", "`", "[", "]", '"', "<", "&", "](https://e.org/", ")", "# ", "- ", "1. "),
    *(["word"] * 8),  # (mostly text that can be built, so that what it builds is looked at)
]
#: Cloze numbers in digits Anki reads, and in others it does not (Arabic-Indic, full width, Devanagari).
CLOZE_NUMBERS = ["1", "2", "3", "12", "١", "１", "२", "٣", "01"]
hostile_text = st.lists(st.sampled_from(HOSTILE_PIECES), min_size=1, max_size=10).map("".join)
plain_text = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=30)
some_text = st.one_of(plain_text, plain_text, hostile_text)  # (a deck has many strings: not all hostile at once)
deck_text = st.one_of(plain_text, plain_text, plain_text, hostile_text)
hostile_deletion = st.builds(
    lambda number, body, hint: f"{{{{c{number}::{body}{'::' + hint if hint else ''}}}}}",
    st.sampled_from(CLOZE_NUMBERS),
    some_text,
    st.none() | st.none() | some_text,
)
hostile_cloze = st.lists(some_text | hostile_deletion | hostile_deletion, min_size=1, max_size=5).map(" ".join)
hostile_tags = st.lists(some_text, max_size=3)
hostile_source = some_text | st.fixed_dictionaries({"key": some_text}, optional={"section": some_text})
hostile_basic = st.fixed_dictionaries(
    {
        "id": st.from_regex(ID_PATTERN, fullmatch=True),
        "category": st.sampled_from(DEFAULT_CATEGORIES),
        "q": some_text,
        "a": some_text,
    },
    optional={
        "extra": some_text, "caution": some_text, "tags": hostile_tags,
        "wrong": st.lists(some_text, max_size=3), "reverse": st.booleans(), "source": hostile_source,
    },
)  # fmt: skip
hostile_cloze_item = st.fixed_dictionaries(
    {
        "id": st.from_regex(ID_PATTERN, fullmatch=True),
        "category": st.sampled_from(DEFAULT_CATEGORIES),
        "cloze": hostile_cloze,
    },
    optional={"extra": some_text, "tags": hostile_tags, "source": hostile_source},
)
hostile_deck = st.fixed_dictionaries(
    {
        "name": deck_text,
        "id": st.from_regex(ID_PATTERN, fullmatch=True),
        "sources": st.dictionaries(
            st.just("src") | deck_text,
            st.fixed_dictionaries(
                {"title": deck_text}, optional={"publisher": deck_text, "url": deck_text.map("https://".__add__)}
            ),
            max_size=2,
        ),
    },
    optional={"description": deck_text},
)

#: Characters that must never reach a field, a tag, a deck name or an export (a tab and a line
#: break may, in text); Anki's own markup, which must reach no field as such.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ANKI_MARKUP = re.compile(r"\[(?:sound:|/?anki:|/?latex\]|/?\$\$?\])", re.IGNORECASE)


@functools.cache
def _anki() -> Any:
    """The real Anki backend (a collection of its own), asked which cloze cards a field makes."""
    from anki.collection import Collection

    folder = Path(tempfile.mkdtemp(prefix="studydeck-fuzz-anki-"))
    return Collection(str(folder / "collection.anki2"))


def _anki_cloze_numbers(field: str) -> set[int]:
    col = _anki()
    note = col.new_note(col.models.by_name("Cloze"))
    note["Text"] = field
    return set(col._backend.cloze_numbers_in_note(note._to_backend_note()))


def what_anki_reads_is_what_the_cards_say(folder: CardsFolder) -> None:
    """Every note has exactly its note type's fields, none holding a control character or
    Anki's markup; every cloze note has exactly the cards Anki's own parser finds in its field;
    tags are single words without empty parts, composed; deck names hold no control character
    and no empty level; and no export holds a control character."""
    import sqlite3
    import unicodedata
    import zipfile

    from studydeck.source.chars import is_blank

    collection = folder.root / "unpacked.anki2"
    [built] = folder.out.glob("*.apkg")
    with zipfile.ZipFile(built) as package:
        collection.write_bytes(package.read("collection.anki2"))
    db = sqlite3.connect(collection)
    try:
        models = json.loads(db.execute("SELECT models FROM col").fetchone()[0])
        decks = json.loads(db.execute("SELECT decks FROM col").fetchone()[0])
        cards: dict[int, set[int]] = {}
        for nid, ord_ in db.execute("SELECT nid, ord FROM cards"):
            cards.setdefault(nid, set()).add(ord_ + 1)
        for nid, mid, tags, flds in db.execute("SELECT id, mid, tags, flds FROM notes"):
            model = models[str(mid)]
            fields = flds.split("\x1f")
            assert len(fields) == len(model["flds"]), fields
            for field in fields:
                assert not _CONTROL.search(field), field
                assert not _ANKI_MARKUP.search(field), field
            if model["type"] == 1:  # cloze
                assert _anki_cloze_numbers(fields[0]) == cards[nid], (fields[0], cards[nid])
            for tag in tags.split():
                assert not _CONTROL.search(tag) and unicodedata.is_normalized("NFC", tag), tag
                assert not any(is_blank(part) for part in tag.split("::")), tag
        for deck in decks.values():
            assert not _CONTROL.search(deck["name"]), deck["name"]
            assert not any(is_blank(part) for part in deck["name"].split("::")), deck["name"]
            assert not _ANKI_MARKUP.search(deck["desc"]), deck["desc"]
    finally:
        db.close()
    from studydeck import api

    for fmt in ("csv", "tsv", "markdown", "json", "html", "moodle", "gift"):
        exported = api.export(folder.cards, fmt)[0].decode("utf-8")
        assert not _CONTROL.search(exported.replace("\r\n", "\n")), fmt


@FUZZ
@given(deck=hostile_deck, items=st.lists(hostile_basic | hostile_cloze_item, min_size=1, max_size=4))
def test_hostile_text_in_every_string(deck: dict[str, Any], items: list[dict[str, Any]]) -> None:
    """Control characters, Anki's markup, MathJax, entities, escapes and Unicode digits in
    cloze numbers, in every string a deck holds: refused where they are, or built into exactly
    what Anki will read."""
    for item in items:  # (an item cites one of the deck's sources, in a section of its own)
        if "source" in item:
            if not deck["sources"]:
                del item["source"]
            elif isinstance(item["source"], dict):
                item["source"] = {**item["source"], "key": next(iter(deck["sources"]))}
            else:
                item["source"] = next(iter(deck["sources"]))
    printed = check_build(
        {
            "deck.yaml": yaml.safe_dump(deck, allow_unicode=True).encode(),
            "drugs.yaml": yaml.safe_dump({"deck": "Sub", "items": items}, allow_unicode=True).encode(),
            "cloze.yaml": b"items: []\n",  # (it cites a source this deck may not have)
        },
        inspect=what_anki_reads_is_what_the_cards_say,
    )
    errors = [line.split(": error: ", 1)[1] for line in printed if ": error: " in line]
    kind = re.sub(r"'[^']*'|[(].*|U[+]\w+|[0-9]+", "…", errors[0])[:60] if errors else ""
    event(f"refused: {kind}" if errors else "built")


FUZZ_TESTS: list[Callable[[], None]] = [
    test_random_yaml_document_as_card_file,
    test_valid_shapes_with_arbitrary_text,
    test_random_yaml_document_as_deck_file,
    test_random_bytes_as_card_file,
    test_mutated_valid_file,
    test_mutated_lockfile,
    test_long_unbreakable_text,
    test_aliases_repeating_text,
    test_hostile_text_in_every_string,
]
_SLOW_TESTS = {test_long_unbreakable_text, test_aliases_repeating_text}


def examples_per_round(test: Callable[[], None]) -> int:
    """How many examples ``test`` runs each time it is called (scripts/fuzz.py counts them)."""
    return SLOW_EXAMPLES if test in _SLOW_TESTS else EXAMPLES
