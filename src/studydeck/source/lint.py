"""Card-quality warnings: what makes a valid item a poor card (an answer the question gives
away, a list too long to recall, a yes/no question, a question asked twice, …).

Each warning names its rule at the end of its message (`… [answer-in-question]`). An item
may acknowledge a rule with a reason (`allow: {answer-in-question: "…"}`): the rule is then
quiet on that item. Acknowledging a rule that does not fire is itself a warning
(`unused-allow`), so that acknowledgements do not outlive the text they excused.

Warnings never stop a build; `check --strict` (as CI runs it) fails on them. The rules aim
at precision over recall: each is tuned on the shipped deck so that a warning is worth
reading, and README's "Writing cards" lists them.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
from collections import Counter
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence

from studydeck.diagnostics import Diagnostics, Location
from studydeck.model import FileItems, Item
from studydeck.source.cloze import Deletion, parse_cloze, reveal

MAX_ANSWER_WORDS = 40
MAX_LIST_ITEMS = 4  # README: no card carries more than about five list members
MAX_DELETIONS = 6
MIN_REVERSE_WORDS = 4  # a bare name ("Gabapentin.") cues many questions, not one

#: Every rule an item may acknowledge, with what it catches in short (README's table says more).
RULES = {
    "answer-in-question": "the question already contains every word of the answer (or of a cloze deletion)",
    "answer-in-distractor": "a distractor equals or contains the answer",
    "long-list": f"an answer or a cloze deletion lists more than {MAX_LIST_ITEMS} items, or a cloze more than "
    f"{MAX_LIST_ITEMS + 1} deletions",
    "many-deletions": f"a cloze has more than {MAX_DELETIONS} deletions",
    "yes-no": "a question answered by yes or no",
    "short-reverse": f"a reverse card whose answer has fewer than {MIN_REVERSE_WORDS} words",
    "needs-sibling": "a question that leans on another card (further, another, remaining, other … also)",
    "same-question": "two items ask the same question, up to case, punctuation, word order and common words",
    "long-answer": f"an answer over {MAX_ANSWER_WORDS} words",
    "dosing-unit": "a dosing item without a number and a unit",
    "flag-conflict": "flag::corrected together with flag::disputed, flag::low-evidence or flag::source-claim",
    "flag-caution": "flag::corrected, flag::disputed or flag::source-claim without a caution",
}
#: Checked across files: only that check knows whether its acknowledgement is used.
CROSS_FILE_RULES = frozenset({"same-question"})
UNUSED_ALLOW = "unused-allow"

CORRECTED = "flag::corrected"
DOUBT_FLAGS = ("flag::disputed", "flag::low-evidence", "flag::source-claim")
CAUTION_FLAGS = (CORRECTED, "flag::disputed", "flag::source-claim")

_UNIT = re.compile(
    r"\d\s*(?:mg|g|kg|µg|μg|mcg|ng|ml|mL|dl|l|L|IU|ME|U|units?|mmol|mEq|%|tablets?|capsules?|"
    r"drops?|ampoules?|sessions?|times|h|hours?|min|d|days?|weeks?|months?|years?)(?![A-Za-z])"
)
_PUNCTUATION = ".,;:!?()[]{}<>*_`~^'\"‘’“”«»…·•"
# Words that carry no content of their own. Negations, quantities and time words are kept:
# "effective" and "not effective" are different questions.
_AUXILIARY_VERBS = "is are was were do does did has have had can could may might must shall should will would"
_STOP_WORDS = frozenset(
    f"""a an the and or but nor of in on at to for from by with into onto as per via than then so
    that this these those which what who whom whose when where why how
    be been being am {_AUXILIARY_VERBS}
    it its they them their there he she his her we our you your i one""".split()
)
_AUXILIARIES = frozenset(_AUXILIARY_VERBS.split())
_YES_NO_ANSWER = re.compile(r"(?:yes|no)(?:[.,;:!]|\s*$)", re.IGNORECASE)
_SIBLING = re.compile(
    r"\b(?:further|another|remaining|the rest|the others?)\b|\b(?:two|three|four|five|\d+) more\b"
    r"|\bother\b[^.?]*\balso\b|\bbesides\s*[,?]",
    re.IGNORECASE,
)
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.MULTILINE)
_SENTENCE_END = re.compile(r"[.!?:](?:\s+|$)|\n")
_LIST_COMMA = re.compile(r",(?!\d{3}\b)")  # (not the comma of 1,500)
_JOINED_LAST = re.compile(r"\S\s+(?:and|or)\s+\S")  # "B and C", not the Oxford comma's "and C"
_LIST_GAP = re.compile(r"\s*[,;]?\s*(?:(?:and|or)\s+)?", re.IGNORECASE)  # what joins "{{c1::A}}, {{c2::B}} and …"
# Words that say nothing about which answer is meant ("in various forms of hypoxia").
_FILLERS = frozenset(("various", "form", "type", "kind", "way", "other", "also", "only", "mainly", "usually", "often"))

Finding = tuple[str, Location, str]  # rule, where, message


def words(text: str) -> list[str]:
    """The words of ``text`` in order: case, plural endings, punctuation and Markdown ignored.
    (String methods, not a regular expression: this runs on every question and answer.)"""
    return [word for word in map(_word, text.casefold().replace("-", " ").replace("/", " ").split()) if word]


# (Cached: several rules read the same question and answer.)
@functools.lru_cache(maxsize=64)
def content_words(text: str) -> frozenset[str]:
    """The words of ``text`` without the `STOP_WORDS`: what it is about."""
    return frozenset(words(text)) - STOP_WORDS


@functools.lru_cache(maxsize=1 << 16)  # (a deck reuses its vocabulary)
def _word(token: str) -> str:
    """A token as a word: punctuation around it dropped (a number keeps its decimals and a
    "%"), and a plural made singular. Only plurals: cutting more (-ic, -al, prefixes) would
    merge drug names such as prednisone and prednisolone."""
    word = token.strip(_PUNCTUATION)
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")) and word[-2].isalpha():
        return word[:-1]
    return word


STOP_WORDS = frozenset(map(_word, _STOP_WORDS))  # (compared as words are: "does" is "doe")
# A question without any of these words needs no look for `_SIBLING` (most questions).
_SIBLING_WORDS = frozenset(map(_word, ("further", "another", "remaining", "rest", "other", "more", "besides")))


def list_length(text: str) -> int:
    """How many members the longest list in ``text`` has: Markdown bullets, or one sentence's
    items separated by commas or semicolons (a final "and"/"or" counting one more). What is
    in brackets is a gloss of one member, not more members."""
    if text.count(",") + text.count(";") + text.count("\n") < MAX_LIST_ITEMS - 1:
        return 0  # (too few separators for a list this rule reports: most answers stop here)
    longest = len(_BULLET.findall(text))
    for sentence in _SENTENCE_END.split(_BRACKETED.sub("", text)):
        if ";" in sentence:
            longest = max(longest, sentence.count(";") + 1)
        for clause in sentence.split(";"):
            parts = _LIST_COMMA.split(clause)
            longest = max(longest, len(parts) + bool(_JOINED_LAST.search(parts[-1].strip())))
    return longest


def listed_deletions(cloze: str, deletions: Sequence[Deletion]) -> int:
    """How many deletions the longest list of deletions in a cloze has ("{{c1::A}}, {{c2::B}}
    and {{c3::C}}": 3). A deletion that groups several members ("sciatica and lumbago")
    counts once: grouping is how a long list is made learnable."""
    longest = run = min(1, len(deletions))
    for before, after in itertools.pairwise(deletions):
        run = run + 1 if _LIST_GAP.fullmatch(cloze, before.end, after.start) else 1
        longest = max(longest, run)
    return longest


def gives_away(answer: frozenset[str], shown: frozenset[str]) -> bool:
    """Whether every content word of an answer (fillers such as "various forms of" aside) is
    among the content words ``shown`` with its question. A long word also counts as shown
    when its first six letters are inside a shown word ("hypoxia" in "antihypoxic",
    "myasthenia" in "myasthenic"); shorter prefixes merged different words (arthritis,
    arthralgia)."""
    wanted = answer - _FILLERS
    if not wanted:
        return False
    missing = wanted - shown
    if any(len(word) < 7 or word[0].isdigit() for word in missing):
        return False
    joined = " ".join(shown)
    return all(word[:6] in joined for word in missing)


def _question_sentence(text: str) -> str:
    """The sentence that asks: the last one of ``text`` ("iLive says X. Is it right?")."""
    text = text.strip()
    if ". " not in text and "? " not in text and "! " not in text:  # (one sentence: most questions)
        return text
    start = max(text.rfind(". "), text.rfind("? "), text.rfind("! "))
    return text[start + 2 :]


def _contains(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    """Whether ``needle`` occurs in ``haystack`` as consecutive words."""
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def _findings(item: Item, where: Mapping[str, Location], wrong: Sequence[Location]) -> Iterator[Finding]:
    """Every rule the item breaks (acknowledged or not)."""
    basic = item.kind == "basic"
    at_prompt = where["q" if basic else "cloze"]
    if basic:
        yield from _basic_findings(item, where, wrong)
        visible = item.q
    else:
        deletions, _ = parse_cloze(item.cloze)
        yield from _cloze_findings(item.cloze, deletions, at_prompt)
        visible = _fill(item.cloze, deletions, lambda d: d.hint or "")
    if item.category == "dosing" and not _UNIT.search(item.a if basic else reveal(item.cloze)):
        message = "dosing item has no number with a unit (mg, g/kg, ml, %, …)"
        yield "dosing-unit", where["a" if basic else "cloze"], message
    sibling = _SIBLING.search(visible) if _SIBLING_WORDS & content_words(visible) else None
    if sibling:
        yield (
            "needs-sibling",
            at_prompt,
            f"the question says {sibling.group(0)!r}, so it leans on another card; "
            "name what it adds to, or merge the cards",
        )
    tags = set(item.tags)
    at_tags = where.get("tags", item.location)
    doubts = [flag for flag in DOUBT_FLAGS if flag in tags]
    if CORRECTED in tags and doubts:
        yield (
            "flag-conflict",
            at_tags,
            f"{CORRECTED} with {', '.join(doubts)}: a corrected card teaches a settled fact, "
            "so suspending doubtful cards must not suspend it",
        )
    needing = [flag for flag in CAUTION_FLAGS if flag in tags]
    if needing and not item.caution:
        yield "flag-caution", at_tags, f"{needing[0]} needs a 'caution' saying what was wrong or disputed"


def _basic_findings(item: Item, where: Mapping[str, Location], wrong: Sequence[Location]) -> Iterator[Finding]:
    answer_words = len(item.a.split())
    if answer_words > MAX_ANSWER_WORDS:
        yield (
            "long-answer",
            where["a"],
            f"answer has {answer_words} words; keep answers under ~{MAX_ANSWER_WORDS} "
            "(one fact per card, details in 'extra')",
        )
    members = list_length(item.a)
    if members > MAX_LIST_ITEMS:
        yield (
            "long-list",
            where["a"],
            f"answer lists {members} items; keep at most {MAX_LIST_ITEMS} per card "
            "(keep the high-yield ones, group the rest, or split the list)",
        )
    if gives_away(content_words(item.a), content_words(item.q)):
        yield "answer-in-question", where["a"], "every word of the answer is already in the question"
    question = _question_sentence(item.q)
    first = question.split(None, 1)[0].strip(_PUNCTUATION).casefold() if question else ""
    if _YES_NO_ANSWER.match(item.a) or (first in _AUXILIARIES and " or " not in question):
        yield (
            "yes-no",
            where["q"],
            "a yes/no question is a coin toss; ask for the fact itself (what, which, how much)",
        )
    if item.reverse and answer_words < MIN_REVERSE_WORDS:
        yield (
            "short-reverse",
            where["reverse"],
            f"the reverse card shows only {item.a!r}, which cues many questions; "
            "drop 'reverse' or make the answer say what it answers",
        )
    if not item.wrong or not content_words(item.a):  # (an answer of common words only is in every text)
        return
    all_answer = words(item.a)
    # A gloss in brackets is not what a distractor must avoid: "X then Y" is right too when
    # the answer is "X (details)".
    unglossed = _BRACKETED.sub(" ", item.a)
    core = words(unglossed) if content_words(unglossed) else all_answer
    for text, loc in zip(item.wrong, wrong, strict=True):
        distractor = words(text)
        if distractor in (all_answer, core):
            yield "answer-in-distractor", loc, "this distractor is the same as the answer"
        elif _contains(distractor, core):
            yield "answer-in-distractor", loc, "this distractor contains the answer, so it is right too"


def _cloze_findings(cloze: str, deletions: Sequence[Deletion], at: Location) -> Iterator[Finding]:
    numbers = sorted({d.number for d in deletions})
    listed = listed_deletions(cloze, deletions)
    if listed > MAX_LIST_ITEMS + 1:  # (one is asked, the others are shown: README's "about five")
        yield (
            "long-list",
            at,
            f"cloze lists {listed} deletions, so each card shows {listed - 1} as context; keep at most "
            f"{MAX_LIST_ITEMS + 1} (keep the high-yield ones, group the rest, or split the list)",
        )
    elif len(numbers) > MAX_DELETIONS:  # (a list says more precisely what is wrong)
        yield (
            "many-deletions",
            at,
            f"cloze has {len(numbers)} deletions, so each card shows the others as context; keep at most "
            f"{MAX_DELETIONS} (group them, or split the sentence)",
        )
    for d in deletions:
        members = list_length(d.text)
        if members > MAX_LIST_ITEMS:
            yield "long-list", at, f"deletion c{d.number} lists {members} items; keep at most {MAX_LIST_ITEMS}"
    # The card for cN shows the text around the deletions, the other deletions and cN's hint.
    around = content_words(_fill(cloze, deletions, lambda d: " "))
    hidden = {n: frozenset().union(*(content_words(d.text) for d in deletions if d.number == n)) for n in numbers}
    for number in numbers:
        shown = around.union(*(seen for n, seen in hidden.items() if n != number))
        shown |= {word for d in deletions if d.number == number and d.hint for word in content_words(d.hint)}
        if gives_away(hidden[number], shown):
            yield "answer-in-question", at, f"every word of deletion c{number} is shown elsewhere on its card"


def _fill(cloze: str, deletions: Sequence[Deletion], show: Callable[[Deletion], str]) -> str:
    """The cloze text with each deletion replaced by ``show(deletion)`` (`cloze.map_deletions`
    without parsing the text again)."""
    parts, pos = [], 0
    for d in deletions:
        parts += [cloze[pos : d.start], show(d)]
        pos = d.end
    parts.append(cloze[pos:])
    return "".join(parts)


def item_warnings(
    item: Item,
    where: Mapping[str, Location],
    wrong: Sequence[Location],
    allowed: Mapping[str, Location],
    diags: Diagnostics,
) -> None:
    """One item's warnings; ``where`` locates each of its keys, ``wrong`` each distractor and
    ``allowed`` each rule the item acknowledges (its key in `allow:`)."""
    fired = set()
    for rule, loc, message in _findings(item, where, wrong):
        fired.add(rule)
        if rule not in allowed:
            diags.warning(loc, f"{message} [{rule}]")
    for rule, loc in allowed.items():
        if rule not in fired and rule not in CROSS_FILE_RULES:
            diags.warning(loc, unused_allow(rule))


def unused_allow(rule: str) -> str:
    return f"{rule!r} is acknowledged but does not fire on this item; remove the acknowledgement [{UNUSED_ALLOW}]"


def question_key(prompt: str, *, cloze: bool) -> bytes:
    """A digest of what the item asks, as `same-question` compares it: its content words
    (`content_words`) as a set, so that case, punctuation, word order, plurals and common
    words do not matter; a cloze item asks its whole sentence. Hashing keeps the check
    linear (equal digests meet in one dict, never compared pairwise), and validation stores
    it on the item (`Item.question_key`), so that it is computed in the worker processes and
    cached with the file."""
    text = reveal(prompt) if cloze else prompt
    key = " ".join(sorted(content_words(text))) or " ".join(text.casefold().split())
    return hashlib.blake2b(key.encode(), digest_size=12).digest()


def repeated_questions(files: Sequence[FileItems], diags: Diagnostics) -> None:
    """Items asking a question an earlier item asks, unless either acknowledges `same-question`;
    and acknowledgements of it on items whose question no other item asks."""
    acknowledging = any(file.repeat_allowed for file in files)
    values = [value for file in files for value in file.prompts]
    if not acknowledging and len(set(values)) == len(values):  # (the usual case: one set says so quickly)
        return
    counts = Counter(values)
    first_seen: dict[bytes, tuple[FileItems, int]] = {}  # the first item asking it that does not acknowledge
    for file in files:
        allowed = set(file.repeat_allowed)
        for index, value in enumerate(file.prompts):
            if index in allowed:
                if counts[value] == 1:
                    diags.warning(file.location(index), unused_allow("same-question"))
                continue
            first, at = first_seen.setdefault(value, (file, index))
            if first is not file or at != index:
                message = f"item {file.ids[index]!r} asks the same question as {first.ids[at]!r} ({first.location(at)})"
                diags.warning(file.location(index), f"{message} [same-question]")


def repeats(
    files: Sequence[FileItems], column: Callable[[FileItems], Sequence[Hashable]]
) -> Iterator[tuple[FileItems, int, FileItems, int]]:
    """Each item whose value in ``column`` an earlier item had, with that earlier item."""
    values = [value for file in files for value in column(file)]
    if len(set(values)) == len(values):  # (a large deck has no repeats: one set says so quickly)
        return
    first_seen: dict[Hashable, tuple[FileItems, int]] = {}
    for file in files:
        for index, value in enumerate(column(file)):
            first, at = first_seen.setdefault(value, (file, index))
            if first is not file or at != index:
                yield file, index, first, at
