"""Card-quality rules (source/lint.py): each fires where it should and stays quiet on a near
miss, an item can acknowledge a rule with a reason (`allow:`), and the shipped deck is clean.

Each case is one item in a card file of its own, checked as `studydeck check` checks it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from studydeck import api
from studydeck.cli import cli
from studydeck.diagnostics import ContentError
from studydeck.source.lint import RULES, UNUSED_ALLOW

from helpers import DECK_YAML, CardsFolder, dedent, diagnostics_printed

REPO = Path(__file__).resolve().parent.parent
RULE = re.compile(r" \[([a-z-]+)\]$")


def item(body: str, *, category: str = "mechanism", id: str = "x") -> str:
    """A card file of one item: ``body`` is its keys after id and category, one per line."""
    lines = "".join(f"    {line}\n" for line in dedent(body).splitlines())
    return f"items:\n  - id: {id}\n    category: {category}\n{lines}"


def folder_with(root: Path, files: dict[str, str]) -> CardsFolder:
    folder = CardsFolder(root)
    folder.write("deck.yaml", DECK_YAML)
    for name, text in files.items():
        folder.write(name, text)
    return folder


def rules_fired(root: Path, *texts: str, cache: Path | None = None) -> list[str]:
    """The rule of every warning `check` gives for these card files (a.yaml, b.yaml, …)."""
    folder = folder_with(root, {f"{chr(97 + n)}.yaml": text for n, text in enumerate(texts)})
    warnings = api.check(folder.cards, cache_dir=cache)
    fired = []
    for warning in warnings:
        match = RULE.search(warning.message)
        assert match, f"a warning without its rule name: {warning}"
        fired.append(match.group(1))
    return fired


# (rule, what fires it, the near miss that must not)
CASES = [
    ("answer-in-question",
     item("q: What effect does ipidacrine have on peripheral nerve conduction?\na: Peripheral nerve conduction."),
     item("q: What effect does ipidacrine have on peripheral nerve conduction?\n"
          "a: It improves conduction in peripheral nerve fibres.")),
    ("answer-in-question",  # a long word within another ("hypoxia" in "antihypoxic"); fillers aside
     item("q: Because of its antihypoxic action, in which states does iLive call Mexidol effective?\n"
          "a: In various forms of hypoxia."),
     item("q: Which joint symptom besides arthralgia does iLive list?\na: Arthritis.")),
    ("answer-in-question",  # a cloze deletion shown by the rest of its card
     item('cloze: "Ipidacrine is indicated in {{c1::myasthenia}} and myasthenic syndrome."'),
     item('cloze: "Ipidacrine is indicated in {{c1::myasthenia}} and bulbar palsy."')),
    ("answer-in-question",  # ... or by its own hint
     item('cloze: "The NSAID is {{c1::nimesulide::nimesulide or meloxicam}}."'),
     item('cloze: "The NSAID is {{c1::nimesulide::an NSAID}}."')),
    ("answer-in-distractor",
     item("q: Which anticonvulsant is Neurontin?\na: Gabapentin.\nwrong: [gabapentin, Pregabalin, Valproate]"),
     item("q: Which anticonvulsant is Neurontin?\na: Gabapentin.\nwrong: [Pregabalin, Valproate, Carbamazepine]")),
    ("answer-in-distractor",  # containing it: the distractor is right too
     item("q: Which regimen?\na: 1 g/kg every 3 weeks.\nwrong: [1 g/kg every 3 weeks plus steroids, 2 g/kg]"),
     item("q: Which regimen?\na: 5 mg/kg per day.\nwrong: [5 mg per day, 50 mg/kg per day]")),
    ("answer-in-distractor",  # a gloss in brackets is the answer's detail, not part of what it says
     item("q: Which regimen?\na: 0.4 g/kg/day for 5 days (2 g/kg per course).\n"
          "wrong: [0.4 g/kg/day for 5 days then monthly, 0.4 mg/kg/day for 5 days]"),
     item("q: Which regimen?\na: 0.4 g/kg/day for 5 days (2 g/kg per course).\n"
          "wrong: [0.4 g/kg/day for 3 days, 0.4 mg/kg/day for 5 days]")),
    ("long-list",
     item("q: Which side effects?\na: Drowsiness, dizziness, headache, nausea and urticaria."),
     item("q: Which side effects?\na: Drowsiness, dizziness (with falls, in the elderly), nausea and urticaria.")),
    ("long-list",  # a cloze listing six deletions shows five of them on every card
     item('cloze: "It causes {{c1::a}}, {{c2::b}}, {{c3::c}}, {{c4::d}}, {{c5::e}} and {{c6::f}}."'),
     item('cloze: "It causes {{c1::a}}, {{c2::b and g}}, {{c3::c}}, {{c4::d}} and {{c5::e}}."')),
    ("long-list",  # one deletion that is a list
     item('cloze: "It causes {{c1::drowsiness, dizziness, headache, nausea and urticaria}}."'),
     item('cloze: "It causes {{c1::drowsiness, dizziness and headache}} and {{c2::nausea and urticaria}}."')),
    ("many-deletions",
     item('cloze: "{{c1::A}} binds {{c2::B}} in {{c3::C}}; {{c4::D}} blocks {{c5::E}} via {{c6::F}} at {{c7::G}}."'),
     item('cloze: "{{c1::A}} binds {{c2::B}} in {{c3::C}}; {{c4::D}} blocks {{c5::E}} via {{c6::F}}."')),
    ("yes-no",
     item("q: Is homeopathy effective for sensory neuropathy?\na: No evidence shows that it is."),
     item("q: Is ipidacrine given orally or by injection?\na: Both, as tablets and injections.")),
    ("yes-no",  # the answer says it, whatever the question's wording
     item("q: What about steroids in MMN?\na: No; they can worsen it."),
     item("q: Which guideline recommends steroids in MMN?\na: No guideline recommends them.")),
    ("yes-no",  # the question is the last sentence
     item("q: iLive calls magnetotherapy the leading method. Does any guideline agree?\na: Not one."),
     item("q: iLive calls magnetotherapy the leading method. Which guideline disagrees?\na: AAN 2011.")),
    ("short-reverse",
     item("q: Neurontin is a brand of which anticonvulsant?\na: Gabapentin.\nreverse: true"),
     item("q: What is coasting?\na: Neuropathy worsening for weeks after the toxin is stopped.\nreverse: true")),
    ("needs-sibling",
     item("q: Which two further electrical methods does iLive prescribe?\na: Galvanisation and darsonvalisation."),
     item("q: Besides pain drugs, which two treatments does iLive name?\na: B vitamins and thioctic acid.")),
    ("needs-sibling",
     item("q: Which other drug is also porphyria-safe?\na: Clonazepam."),
     item("q: Which other causes of neuropathy does iLive name?\na: Diabetes and alcohol.")),
    ("long-answer",
     item(f"q: Why?\na: {' '.join(['word'] * 41)}"),
     item(f"q: Why?\na: {' '.join(['word'] * 40)}")),
    ("dosing-unit",
     item("q: How much IVIG?\na: A lot.", category="dosing"),
     item("q: How much IVIG?\na: 2 g/kg over 5 days.", category="dosing")),
    ("flag-conflict",
     item("q: Which dose?\na: 0.4 g/kg.\ncaution: iLive says mg.\ntags: [flag::corrected, flag::disputed]"),
     item("q: Which dose?\na: 0.4 g/kg.\ncaution: iLive says mg.\ntags: [flag::corrected, flag::region-specific]")),
    ("flag-caution",
     item("q: What does iLive claim?\na: It restores sensation.\ntags: [flag::source-claim]"),
     item("q: What is used off-label?\na: Ciclosporin.\ntags: [flag::low-evidence]")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "fires", "quiet"), [pytest.param(*case, id=f"{case[0]}-{n}") for n, case in enumerate(CASES)]
)
def test_each_rule_fires_and_stays_quiet_on_a_near_miss(tmp_path: Path, rule: str, fires: str, quiet: str) -> None:
    assert rules_fired(tmp_path / "fires", fires) == [rule]
    assert rules_fired(tmp_path / "quiet", quiet) == []


def test_every_rule_has_a_case() -> None:
    assert {case[0] for case in CASES} | {"same-question"} == set(RULES)


# -- same-question: across files, by normalised text ------------------------------------------

ASKED = item("q: What IVIG regimen is used in CIDP?\na: 2 g/kg.", id="first")


@pytest.mark.parametrize(
    "question",
    [
        "What IVIG regimen is used in CIDP?",  # the same words
        "which IVIG regimens are used in cidp",  # case, plural, punctuation
        "In CIDP, which regimen of IVIG is used?",  # word order, common words
    ],
)
def test_same_question_is_found_across_files(tmp_path: Path, question: str) -> None:
    assert rules_fired(tmp_path, ASKED, item(f"q: {question}\na: Other.", id="second")) == ["same-question"]


@pytest.mark.parametrize(
    "question",
    [
        "What IVIG regimen is used in MMN?",  # another condition
        "What IVIG regimen is not used in CIDP?",  # a negation is not a common word
        "What IVIG maintenance regimen is used in CIDP?",  # one more word
    ],
)
def test_a_different_question_is_not_the_same(tmp_path: Path, question: str) -> None:
    assert rules_fired(tmp_path, ASKED, item(f"q: {question}\na: Other.", id="second")) == []


def test_a_cloze_asks_its_whole_sentence(tmp_path: Path) -> None:
    first = item('cloze: "IVIG is given at {{c1::2 g/kg}} per course."', id="first")
    same = item('cloze: "IVIG is given at {{c2::2 g/kg::a dose}} per course."', id="second")
    other = item('cloze: "IVIG is given at {{c1::1 g/kg}} per course."', id="third")
    assert rules_fired(tmp_path / "same", first, same) == ["same-question"]
    assert rules_fired(tmp_path / "other", first, other) == []


@pytest.mark.parametrize("which", ["first", "second"])
def test_same_question_is_quiet_when_either_item_acknowledges_it(tmp_path: Path, which: str) -> None:
    allow = '\nallow: {same-question: "asked twice on purpose: one card per guideline"}'
    first = item("q: What IVIG regimen is used in CIDP?\na: 2 g/kg." + (allow if which == "first" else ""), id="a")
    second = item("q: Which IVIG regimen is used in CIDP?\na: 1 g/kg." + (allow if which == "second" else ""), id="b")
    assert rules_fired(tmp_path, first, second) == []


def test_an_acknowledgement_does_not_excuse_a_third_item(tmp_path: Path) -> None:
    allow = '\nallow: {same-question: "one card per guideline"}'
    files = [
        item(f"q: What IVIG regimen is used in CIDP?\na: Answer {n}.{allow if n == 0 else ''}", id=f"i{n}")
        for n in range(3)
    ]
    folder = folder_with(tmp_path, {f"{n}.yaml": text for n, text in enumerate(files)})
    [warning] = api.check(folder.cards, cache_dir=None)
    assert "item 'i2' asks the same question as 'i1'" in warning.message


def test_an_unused_same_question_acknowledgement_warns(tmp_path: Path) -> None:
    lonely = item('q: What IVIG regimen is used in CIDP?\na: 2 g/kg.\nallow: {same-question: "stale"}')
    assert rules_fired(tmp_path, lonely) == [UNUSED_ALLOW]


def test_acknowledgements_survive_the_cache_and_the_build_index(tmp_path: Path) -> None:
    """A reused file (from the cache, or unread thanks to the last build's index) still says
    which of its items acknowledge `same-question`."""
    cache = tmp_path / "cache"
    allowed = item('q: What IVIG regimen is used in CIDP?\na: 2 g/kg.\nallow: {same-question: "on purpose"}', id="a")
    files = {"a.yaml": allowed, "b.yaml": item("q: What IVIG dose is used in MMN?\na: 2 g/kg.", id="b")}
    folder = folder_with(tmp_path / "deck", files)
    [unused] = api.check(folder.cards, cache_dir=cache)
    assert unused.location.path.endswith("a.yaml") and unused.message.endswith("[unused-allow]")
    api.build(folder.cards, folder.out, cache_dir=cache)
    folder.write("d.yaml", item("q: Which IVIG dose is used in MMN?\na: 1 g/kg.", id="d"))
    folder.write("e.yaml", item("q: IVIG regimen used in CIDP?\na: 3 g/kg.", id="e"))
    checked = api.check(folder.cards, cache_dir=cache)
    built = api.build(folder.cards, folder.out, cache_dir=cache).warnings
    for warnings in (checked, built):  # (e asks what a asks, and a acknowledges it)
        assert [(Path(w.location.path).name, w.message[:38], w.message[-15:]) for w in warnings] == [
            ("d.yaml", "item 'd' asks the same question as 'b'", "[same-question]")
        ]


# -- acknowledging a rule --------------------------------------------------------------------


def test_an_acknowledged_rule_is_quiet_and_the_others_still_speak(tmp_path: Path) -> None:
    text = item(
        """\
        q: Is Proserin the brand of neostigmine?
        a: Yes.
        reverse: true
        allow: {yes-no: "kept to contrast with the Neuromidin card"}"""
    )
    assert rules_fired(tmp_path, text) == ["short-reverse"]


def test_an_unused_acknowledgement_warns_where_it_is_written(folder: CardsFolder) -> None:
    folder.write("more.yaml", item('q: Which drug?\na: Neostigmine bromide.\nallow: {yes-no: "left over"}'))
    result = folder.run("check", "--strict")
    assert result.exit_code == 1
    [warning] = diagnostics_printed(result)
    assert warning.group(0) == (
        "cards/more.yaml:6:13: warning: 'yes-no' is acknowledged but does not fire on this item; "
        "remove the acknowledgement [unused-allow]"
    )


@pytest.mark.parametrize(
    ("allow", "col", "message"),
    [
        ('{answer-in-questoin: "x"}', 13,
         "unknown rule 'answer-in-questoin' in allow (did you mean 'answer-in-question'?); rules: answer-in-"),
        ('{unused-allow: "x"}', 13, "unknown rule 'unused-allow' in allow"),
        ('{yes-no: ""}', 21, "the reason for allowing 'yes-no' must not be empty"),
        ("{yes-no: true}", 21, "the reason for allowing 'yes-no' must be text, not a boolean"),
        ("[yes-no]", 12, "allow must be a mapping of rule name → reason, not a list"),
    ],
)  # fmt: skip
def test_a_bad_acknowledgement_is_an_error(folder: CardsFolder, allow: str, col: int, message: str) -> None:
    folder.write("more.yaml", item(f"q: Is it?\na: Yes.\nallow: {allow}"))
    result = folder.run("check")
    assert result.exit_code == 1
    errors = [m for m in diagnostics_printed(result) if m["severity"] == "error"]
    assert [(m["path"], m["line"], m["col"]) for m in errors] == [("cards/more.yaml", "6", str(col))]
    assert message in errors[0]["message"]


def test_acknowledging_makes_strict_pass(folder: CardsFolder) -> None:
    folder.write("more.yaml", item("q: Is homeopathy effective for neuropathy?\na: No."))
    assert folder.run("check", "--strict").exit_code == 1
    folder.write("more.yaml", item('q: Is homeopathy effective for neuropathy?\na: No.\nallow: {yes-no: "a myth"}'))
    result = folder.run("check", "--strict")
    assert result.exit_code == 0, result.output


def test_strict_api_raises_on_a_rule(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, {"a.yaml": item("q: Is it safe?\na: Yes.")})
    with pytest.raises(ContentError) as raised:
        api.check(folder.cards, strict=True, cache_dir=None)
    assert [d.message.endswith("[yes-no]") for d in raised.value.diagnostics] == [True]


# -- the shipped deck, and what README says ---------------------------------------------------


def test_the_shipped_deck_passes_check_strict_as_ci_runs_it() -> None:
    result = CliRunner().invoke(cli, ["check", "--strict", "--cards", str(REPO / "cards")])
    assert result.exit_code == 0, result.output


def test_readme_lists_every_rule() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([a-z-]+)` \|", readme, re.MULTILINE))
    assert {*RULES, UNUSED_ALLOW} <= listed
