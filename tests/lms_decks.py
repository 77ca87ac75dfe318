"""A cards folder with every kind of LMS question and the characters each format treats as syntax."""

from __future__ import annotations

from pathlib import Path

from helpers import CardsFolder

PICTURE = b"\x89PNG\r\n\x1a\n" + bytes(range(256))  # a PNG signature and every byte value after it

VITAMINS_YAML = r"""
deck: Sensory::Vitamins
source: src
tags: [vitamin]
items:
  - id: b12-route
    category: dosing
    q: How is cyanocobalamin given when absorption fails?
    a: 1000 µg IM on alternate days, then monthly for life.
    extra: Oral 1000 µg daily also works in **most** patients.
    caution: Check folate too.
    image: media/trace.png
  - id: b6-limit
    category: adverse-effect
    cloze: "Pyridoxine above {{c1::500 mg/day::a daily dose}} causes a sensory neuronopathy."
  - id: symbols
    category: classification
    q: Which characters does GIFT treat as syntax?
    a: '5* {x}#~=:\\'
  - id: weight-trap
    category: formulation
    q: Which gel is sold?
    a: "%5% gel"
  - id: gel-strength
    category: formulation
    q: Which strength is the topical gel?
    a: "20%."
    wrong: ["%5% cream", "[html] none"]
  - id: arrow
    category: mechanism
    q: Which way does the reaction run?
    a: A -> B
  - id: repeated-distractor
    category: classification
    q: Which vitamin is B1?
    a: Thiamine.
    wrong: [thiamine, Riboflavin]
  - id: html-text
    category: mechanism
    q: "Is 5 < 10 & <script>alert(1)</script> true?"
    a: "Yes"
"""

ROOT_YAML = r"""
tags: [root]
items:
  - id: tricky-cloze
    category: mechanism
    cloze: "Tricky {{c1::{a}#~=:*}} beside [blank1], <b>x</b> and {1:SA:=no}."
"""

#: What each item of the folder becomes in Moodle XML (and which kind in the other formats).
KINDS = {
    "ivig-dose": "multichoice",
    "ivig-brand": "shortanswer",
    "cidp-remission": "cloze",
    "b12-route": "essay",
    "b6-limit": "cloze",
    "symbols": "shortanswer",
    "weight-trap": "shortanswer",
    "gel-strength": "multichoice",
    "arrow": "shortanswer",
    "repeated-distractor": "multichoice",
    "html-text": "shortanswer",
    "tricky-cloze": "cloze",
}
#: The deck each item is in, as category names below the course.
CATEGORIES = {
    **dict.fromkeys(["ivig-dose", "ivig-brand", "cidp-remission"], ("Test deck", "Drugs", "Immunoglobulin")),
    **dict.fromkeys(
        ["b12-route", "b6-limit", "symbols", "weight-trap", "gel-strength", "arrow", "repeated-distractor"],
        ("Test deck", "Sensory", "Vitamins"),
    ),
    "html-text": ("Test deck", "Sensory", "Vitamins"),
    "tricky-cloze": ("Test deck",),
}
#: What a student types for each blank, in order.
BLANKS = {
    "cidp-remission": ["90%", "complete or partial"],
    "b6-limit": ["500 mg/day"],
    "tricky-cloze": ["{a}#~=:*"],
}
#: What a student types for each short answer.
TYPED = {"ivig-brand": "Immunoglobulins", "symbols": "5* {x}#~=:\\", "weight-trap": "%5% gel", "arrow": "A -> B"}
TYPED["html-text"] = "Yes"
#: Multiple choice: the right answer and the distractors, as shown.
CHOICES = {
    "ivig-dose": ("0.4 g/kg per day IV for 5 days", {"0.4 mg/kg per day for 5 days", "1 g/kg once"}),
    "gel-strength": ("20%", {"%5% cream", "[html] none"}),
    "repeated-distractor": ("Thiamine", {"Riboflavin"}),  # `thiamine` repeats the answer: shown once
}


def lms_folder(root: Path) -> CardsFolder:
    folder = CardsFolder.example(root)
    folder.write("vitamins.yaml", VITAMINS_YAML)
    folder.write("root.yaml", ROOT_YAML)
    folder.write("media/trace.png", PICTURE)
    return folder
