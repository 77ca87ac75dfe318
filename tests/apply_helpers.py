"""A learner's collection through two versions of a deck, for the `studydeck apply` tests.

Everything here is real: the decks are built with studydeck's API, the collection is Anki's
own (the `anki` package), the cards are studied through its scheduler, and the learner's
changes are made with the same backend calls Anki desktop makes.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from anki.collection import Collection
from click.testing import CliRunner, Result

from studydeck import api
from studydeck.cli import cli

from anki_backend import import_package, study_everything
from helpers import DECK_YAML, dedent

DRUGS_V1 = """\
deck: Drugs
source: src
items:
  - id: ivig-dose
    category: dosing
    q: What IVIG regimen is used in CIDP?
    a: 0.4 g/kg per day IV for 5 days.
  - id: ivig-brand
    category: classification
    q: Which class does IVIG belong to?
    a: Immunoglobulins
    reverse: true
  - id: ivig-class
    category: mechanism
    q: What does IVIG block?
    a: Fc receptors
  - id: pred-dose
    category: dosing
    q: Which prednisolone dose starts CIDP treatment?
    a: 1 mg/kg per day
  - id: old-fact
    category: indication
    q: Is IVIG used in multifocal motor neuropathy?
    a: Yes, it is the first-line treatment.
"""

# Items the learner will place elsewhere, and v2 moves to Prognosis.
TRAVELLERS = """\
  - id: moved-fact
    category: indication
    source: src
    q: Which CIDP variant responds poorly to steroids?
    a: The motor variant.
  - id: mine-fact
    category: prognosis
    source: src
    q: Does CIDP relapse?
    a: In about a third of patients.
  - id: cram-fact
    category: management
    source: src
    q: How often is IVIG maintenance given?
    a: Every 3 weeks.
"""

PROGNOSIS_V1 = """\
deck: Prognosis
items:
  - id: cidp-remission
    category: prognosis
    cloze: "About {{c1::90%}} of CIDP patients reach {{c2::complete or partial}} remission."
  - id: gbs-walk
    category: prognosis
    cloze: "{{c1::80%}} of GBS patients walk {{c2::unaided}} at 6 months."
"""

DRUGS_V2 = """\
deck: Drugs
source: src
items:
  - id: ivig-dose
    category: dosing
    q: What IVIG regimen is used in CIDP?
    a: 0.4 g/kg per day IV for 5 days (2 g/kg per course).
  - id: ivig-brand
    category: classification
    q: Which class does IVIG belong to?
    a: Immunoglobulins
  - id: ivig-class
    category: mechanism
    cloze: "IVIG blocks {{c1::Fc receptors}} and {{c2::complement}}."
  - id: pred-dose
    category: dosing
    q: Which prednisolone dose starts CIDP treatment?
    a: 1 mg/kg per day
  - id: new-fact
    category: adverse-effect
    q: Name a serious adverse effect of IVIG.
    a: Thrombosis.
"""

PROGNOSIS_V2 = """\
deck: Prognosis
items:
  - id: cidp-remission
    category: prognosis
    cloze: "About {{c1::90%}} of CIDP patients reach complete or partial remission."
  - id: gbs-walk
    category: prognosis
    q: What share of GBS patients walk unaided at 6 months?
    a: 80%
    reverse: true
"""

DRUGS = "Test deck::Drugs"
PROGNOSIS = "Test deck::Prognosis"
LEARNERS_DECK = "My hard cards"
FILTERED_DECK = "Cram"
LEARNERS_EDIT = "1 mg/kg per day (my ward uses 60 mg)"

#: Where every card of the v2 deck must end up: item → {card ordinal: home deck}.
V2_CARDS = {
    "ivig-dose": {0: DRUGS},
    "ivig-brand": {0: DRUGS},
    "ivig-class": {0: DRUGS, 1: DRUGS},
    "pred-dose": {0: DRUGS},
    "new-fact": {0: DRUGS},
    "cidp-remission": {0: PROGNOSIS},
    "gbs-walk": {0: PROGNOSIS, 1: PROGNOSIS},
    "moved-fact": {0: PROGNOSIS},
    "mine-fact": {0: LEARNERS_DECK},  # the learner moved it to a deck of their own: it stays there
    "cram-fact": {0: PROGNOSIS},  # its home deck; the card itself stays in the filtered deck
}


def run_cli(cwd: Path, *args: str) -> Result:
    """`studydeck ARGS` as a user types it, in ``cwd``."""
    before = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)
    finally:
        os.chdir(before)


@contextmanager
def opened(path: Path) -> Iterator[Collection]:
    col = Collection(str(path))
    try:
        yield col
    finally:
        col.close()


def _unicase(a: str, b: str) -> int:
    return (a.casefold() > b.casefold()) - (a.casefold() < b.casefold())


def collection_content(path: Path) -> dict[str, list[str]]:
    """Every row of every table of a (closed) collection, to prove that nothing changed.
    SQLite's statistics tables are left out: they describe the data, they are not data."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.create_collation("unicase", _unicase)  # Anki's; the schema names it
    try:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: sorted(map(repr, conn.execute(f"SELECT * FROM {t}"))) for t in tables if "stat" not in t}
    finally:
        conn.close()


@dataclass
class Scenario:
    """v1 imported into a learner's collection and studied, the learner's own changes, and v2 built."""

    root: Path
    collection: Path
    learner_folder: Path  # holds nothing but the v2 package
    package: Path
    reviews: dict[int, int] = field(default_factory=dict)  # card id → review-log rows, before apply
    v1_cards: dict[tuple[str, int], int] = field(default_factory=dict)  # (item, ordinal) → card id
    v1_notes: dict[str, int] = field(default_factory=dict)  # item → note id
    others: dict[str, list[str]] = field(default_factory=dict)  # rows apply must not touch…
    other_notes: list[int] = field(default_factory=list)  # …of these notes

    @property
    def backups(self) -> list[Path]:
        folder = self.collection.parent / "backups"
        return sorted(folder.iterdir()) if folder.is_dir() else []

    def apply(self, *args: str) -> Result:
        return run_cli(self.learner_folder, "apply", self.package.name, "--collection", str(self.collection), *args)

    def copy(self, root: Path) -> Scenario:
        shutil.copytree(self.root, root, dirs_exist_ok=True)
        moved = Scenario(
            root,
            root / self.collection.relative_to(self.root),
            root / self.learner_folder.relative_to(self.root),
            root / self.package.relative_to(self.root),
            dict(self.reviews),
            dict(self.v1_cards),
            dict(self.v1_notes),
            dict(self.others),
            list(self.other_notes),
        )
        return moved


def item_id(col: Collection, nid: int) -> str:
    note = col.get_note(nid)  # type: ignore[arg-type]
    return str(note["ID"]) if "ID" in note else ""  # (the learner's own notes have none)


def untouchable_rows(col: Collection, note_ids: list[int]) -> dict[str, list[str]]:
    """The given notes, their cards and their review log, as rows."""
    ids = ",".join(map(str, note_ids))
    return {
        "notes": sorted(map(repr, col.db.all(f"SELECT * FROM notes WHERE id IN ({ids})"))),
        "cards": sorted(map(repr, col.db.all(f"SELECT * FROM cards WHERE nid IN ({ids})"))),
        "revlog": sorted(
            map(repr, col.db.all(f"SELECT * FROM revlog WHERE cid IN (SELECT id FROM cards WHERE nid IN ({ids}))"))
        ),
    }


def make_scenario(root: Path) -> Scenario:
    cards, out = root / "author" / "cards", root / "author" / "build"
    (cards).mkdir(parents=True)
    (cards / "deck.yaml").write_text(DECK_YAML, encoding="utf-8")
    (cards / "drugs.yaml").write_text(dedent(DRUGS_V1 + TRAVELLERS), encoding="utf-8")
    (cards / "prognosis.yaml").write_text(dedent(PROGNOSIS_V1), encoding="utf-8")
    t0 = time.time() - 3600  # both builds happened before the learner's edits below
    package = api.build(cards, out, now=t0).package

    collection = root / "profile" / "collection.anki2"
    collection.parent.mkdir(parents=True)
    col = Collection(str(collection))
    try:
        log = import_package(col, package)
        assert not log.conflicting and len(log.new) == 10
        # Another deck of the learner's, studied too.
        basic = col.models.by_name("Basic")
        assert basic is not None
        other = col.new_note(basic)
        other["Front"], other["Back"] = "Capital of Peru?", "Lima"
        col.add_note(other, col.decks.id("Geography"))  # type: ignore[arg-type]
        study_everything(col, "Test deck")
        study_everything(col, "Geography")
        v1_cards = {(item_id(col, c.nid), c.ord): c.id for c in map(col.get_card, col.find_cards("deck:Test*"))}
        v1_notes = {item_id(col, nid): nid for nid in col.find_notes("deck:Test*")}
        # The learner: edits a note, adds one of their own inside the deck, moves a note's cards
        # to a deck of their own, and crams one card in a filtered deck.
        (pred,) = col.find_notes('"ID:pred-dose"')
        note = col.get_note(pred)
        note["Answer"] = LEARNERS_EDIT
        col.update_note(note)
        own = col.new_note(basic)
        own["Front"], own["Back"] = "My mnemonic for CIDP drugs?", "I Play Piano"
        col.add_note(own, col.decks.id(DRUGS))  # type: ignore[arg-type]
        col.set_deck(col.find_cards('"ID:mine-fact"'), col.decks.id(LEARNERS_DECK))  # type: ignore[arg-type]
        cram = col.decks.new_filtered(FILTERED_DECK)
        config = col.decks.get(cram)
        assert config is not None
        config["terms"] = [['"ID:cram-fact"', 100, 0]]
        col.decks.save(config)
        col.sched.rebuild_filtered_deck(cram)
        (cram_card,) = col.find_cards('"ID:cram-fact"')
        assert col.get_card(cram_card).did == cram
        reviews = dict(col.db.all("SELECT cid, count() FROM revlog GROUP BY cid"))
        assert set(v1_cards.values()) <= set(reviews), "every card of v1 was studied"
        other_notes = [other.id, own.id, pred]
        others = untouchable_rows(col, other_notes)
    finally:
        col.close()

    (cards / "drugs.yaml").write_text(dedent(DRUGS_V2), encoding="utf-8")
    (cards / "prognosis.yaml").write_text(dedent(PROGNOSIS_V2 + TRAVELLERS), encoding="utf-8")
    result = api.build(cards, out, now=t0 + 600)
    assert result.report.removed == ("old-fact",) and result.report.added == ("new-fact",)
    assert {m[0] for m in result.report.moved} == {"moved-fact", "mine-fact", "cram-fact"}
    learner = root / "learner"
    learner.mkdir()
    shutil.copy(result.package, learner / result.package.name)
    package = learner / result.package.name
    return Scenario(root, collection, learner, package, reviews, v1_cards, v1_notes, others, other_notes)
