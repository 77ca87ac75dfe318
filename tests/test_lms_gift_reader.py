"""The tests' GIFT reader (tests/gift_reader.py) reads GIFT as Moodle does, and refuses what it should.

The examples are those of Moodle's GIFT documentation and importer (question/format/gift).
"""

from __future__ import annotations

import pytest

from gift_reader import GiftError, read_gift


def one(text: str):  # type: ignore[no-untyped-def]
    [question] = read_gift(text)
    return question


def test_the_documented_question_types() -> None:
    mc = one("::Grant::Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}")
    assert (mc.qtype, mc.name, mc.text) == ("multichoice", "Grant", "Who's buried in Grant's tomb?")
    assert [(a.text, a.fraction) for a in mc.answers] == [("Grant", 0.0), ("Jefferson", 0.0), ("no one", 1.0)]

    missing = one("::Tomb::Grant is {~buried =entombed ~living} in Grant's tomb.")
    assert missing.missing_word and missing.text == "Grant is _____ in Grant's tomb."

    short = one("::Nobody::Who's buried in Grant's tomb?{=no one =nobody}")
    assert short.qtype == "shortanswer"
    assert [(a.text, a.fraction) for a in short.answers] == [("no one", 1.0), ("nobody", 1.0)]

    assert one("::TF::Grant is buried in Grant's tomb.{FALSE}").qtype == "truefalse"
    assert one("::Num::When was Ulysses S. Grant born?{#1822}").qtype == "numerical"
    assert one("::Essay::Write about Grant.{}").qtype == "essay"
    assert one("::Match::Match these.{=Canada -> Ottawa =Italy -> Rome =Japan -> Tokyo}").qtype == "match"


def test_weights_feedback_general_feedback_format_and_categories() -> None:
    questions = read_gift(
        "// a comment line\n"
        "$CATEGORY: $course$/Deck/Sub deck\n"
        "\n"
        "::q1::[html]<b>Which?</b>{\n"
        "\t=right#well done\n"
        "\t~%50%half right\n"
        "\t~wrong\n"
        "\t####<p>Why</p>\n"
        "}\n"
        "\n"
        "::q2::Type it{=%100%%5% gel}\n"
    )
    q1, q2 = questions
    assert q1.category == q2.category == "$course$/Deck/Sub deck"
    assert (q1.text, q1.text_format, q1.general_feedback) == ("<b>Which?</b>", "html", "<p>Why</p>")
    assert [(a.text, a.fraction, a.feedback) for a in q1.answers] == [
        ("right", 1.0, "well done"),
        ("half right", 0.5, ""),
        ("wrong", 0.0, ""),
    ]
    assert [(a.text, a.fraction) for a in q2.answers] == [("%5% gel", 1.0)]  # the explicit weight came first


def test_escapes_are_text_and_never_syntax() -> None:
    essay = one(r"::e::A \{b\} \: \= \~ \# \\ c\nd{}")
    assert essay.qtype == "essay"
    assert essay.text == "A {b} : = ~ # \\ c\nd"
    short = one(r"::s::Q{=x \= y \~ z \# w\\}")
    assert short.qtype == "shortanswer"
    assert [a.text for a in short.answers] == ["x = y ~ z # w\\"]


@pytest.mark.parametrize(
    "text",
    [
        "Who?{=a}",  # no name
        "::open name not closed{=a}",
        "::n::a { b{=c}",  # a second opening brace
        "::n::a {=b} c } d",  # a stray closing brace
        "::n::a = b{=c}",  # '=' in the question text
        "::n::q{=a:b}",  # ':' in the answers
        "::n::q{~only}",  # one choice
        "::n::q {=a",  # never closed
    ],
)
def test_what_moodle_would_misread_is_an_error(text: str) -> None:
    with pytest.raises(GiftError):
        read_gift(text)


def test_blank_lines_separate_questions_and_comment_blocks_are_skipped() -> None:
    text = "//only a comment\n\n::a::A{}\n   \n::b::B{}\n0\n::c::C{}\n"
    assert [q.name for q in read_gift(text)] == ["a", "b", "c"]  # PHP's empty() takes "0" for blank too
