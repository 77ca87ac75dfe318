"""`studydeck export` for the LMS formats, and the selection options of every export format."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from gift_reader import read_gift
from lms_decks import lms_folder
from lms_readers import read_moodle, read_qti
from studydeck import api
from studydeck.anki.notes import note_guid
from studydeck.export import ALL_FORMATS, FORMAT_SUFFIXES
from studydeck.export import QUESTION_BANKS as LMS_EXPORTS
from studydeck.model import Cards
from studydeck.printing.quiz import make_sheets
from studydeck.source.selection import Filters, select_items

from helpers import CardsFolder

LMS_FORMATS = ("moodle", "gift", "qti")


@pytest.fixture
def bank(tmp_path: Path) -> CardsFolder:
    return lms_folder(tmp_path)


def exported_ids(fmt: str, data: bytes, cards: Cards) -> set[str]:
    """The item ids an export holds, read the way each format's reader would."""
    text = data.decode("utf-8") if fmt != "qti" else ""
    if fmt == "csv":
        return {row["id"] for row in csv.DictReader(io.StringIO(text))}
    if fmt == "tsv":  # the notes' GUIDs, which Anki matches on
        guids = {row[2] for row in csv.reader(io.StringIO(text), delimiter="\t") if not row[0].startswith("#")}
        return {item.id for item in cards.items if note_guid(cards.deck.id, item.id) in guids}
    if fmt == "markdown":
        return set(re.findall(r"^    - `([^`]+)` · ", text, re.M))
    if fmt == "json":
        return {item["id"] for item in json.loads(text)["items"]}
    if fmt == "html":
        return set(re.findall(r'<article class="card" id="item-([^"]+)"', text))
    if fmt == "moodle":
        return {q.idnumber for q in read_moodle(data)}
    if fmt == "gift":
        return {q.name.split(" ")[0] for q in read_gift(text)}
    return {item.ident for item in read_qti(data).items}


def test_every_format_exports_exactly_what_quiz_selects(bank: CardsFolder) -> None:
    cards = api.load_deck(bank.cards)
    selections = [
        ("--category", "dosing"),
        ("--category", "mechanism", "--category", "prognosis"),
        ("--tag", "vitamin"),
        ("--tag", "category::formulation"),
        ("--deck", "Sensory"),
        ("--deck", "Test deck::Drugs::Immunoglobulin"),
        ("--tag", "vitamin", "--category", "classification"),
        ("--tag", "root"),
    ]
    for options in selections:
        values: dict[str, list[str]] = {"--category": [], "--tag": [], "--deck": []}
        for flag, value in zip(options[::2], options[1::2], strict=True):
            values[flag].append(value)
        filters = Filters(tuple(values["--category"]), tuple(values["--tag"]), tuple(values["--deck"]))
        [sheet] = make_sheets(cards, filters)
        expected = {q.item_id for q in sheet.questions}
        assert expected == {item.id for item in select_items(cards, filters)}
        for fmt in ALL_FORMATS:
            result = bank.run("export", "--format", fmt, *options)
            assert result.exit_code == 0, (fmt, options, result.output)
            assert exported_ids(fmt, result.stdout_bytes, cards) == expected, (fmt, options)


def test_a_selection_error_is_the_usage_error_quiz_gives(bank: CardsFolder) -> None:
    (bank.root / "bank.xml").write_bytes(b"the previous export")
    for options, message in [
        (("--category", "dosage"), "unknown category 'dosage' (did you mean 'dosing'?)"),
        (("--tag", "vitamins"), "unknown tag 'vitamins' (did you mean 'vitamin'?)"),
        (("--deck", "Sensory::Vitamin"), "unknown deck 'Sensory::Vitamin'"),
        (("--category", "overdose"), "no item matches all of: category overdose"),
    ]:
        quiz = bank.run("quiz", *options)
        for fmt in ALL_FORMATS:
            export = bank.run("export", "--format", fmt, "--out", "bank.xml", *options)
            assert export.exit_code == quiz.exit_code == 2, export.output
            assert message in export.stderr and message in quiz.stderr
            assert "Traceback" not in export.output
    assert (bank.root / "bank.xml").read_bytes() == b"the previous export"
    assert sorted(p.name for p in bank.root.iterdir()) == ["bank.xml", "cards"]  # no temporary left behind


def test_the_out_suffix_picks_the_lms_format(bank: CardsFolder) -> None:
    for name in ("bank.xml", "bank.gift", "bank.zip"):
        result = bank.run("export", "--out", name)
        assert result.exit_code == 0, result.output
    assert read_moodle((bank.root / "bank.xml").read_bytes())
    assert read_gift((bank.root / "bank.gift").read_text(encoding="utf-8"))
    assert zipfile.is_zipfile(bank.root / "bank.zip") and read_qti((bank.root / "bank.zip").read_bytes()).items
    unknown = bank.run("export", "--out", "bank.txt")
    assert unknown.exit_code == 2 and ".xml, .gift or .zip" in unknown.stderr


def test_an_export_replaces_the_out_file_whole(bank: CardsFolder) -> None:
    out = bank.root / "bank.zip"
    out.write_bytes(b"an older package")
    out.chmod(0o640)
    result = bank.run("export", "--format", "qti", "--out", "bank.zip", "--tag", "root")
    assert result.exit_code == 0, result.output
    assert "Wrote bank.zip (qti, 1 items)." in result.stderr
    assert [item.ident for item in read_qti(out.read_bytes()).items] == ["tricky-cloze"]
    assert out.stat().st_mode & 0o777 == 0o640  # replaced in place, as a plain write would keep it
    assert sorted(p.name for p in bank.root.iterdir()) == ["bank.zip", "cards"]


def test_same_cards_same_bytes_from_every_route_and_process(bank: CardsFolder) -> None:
    cards = api.load_deck(bank.cards)
    for fmt in LMS_FORMATS:
        written = bank.root / f"bank{FORMAT_SUFFIXES[fmt][0]}"
        assert bank.run("export", "--format", fmt, "--out", str(written)).exit_code == 0
        assert bank.run("export", "--format", fmt).stdout_bytes == written.read_bytes(), fmt
        assert LMS_EXPORTS[fmt](cards, lambda items: items) == written.read_bytes(), fmt
        for seed in ("1", "2"):  # a fresh interpreter with another hash seed: no set or dict order leaks in
            other = subprocess.run(
                [sys.executable, "-m", "studydeck", "export", "--format", fmt],
                cwd=bank.root,
                env={**os.environ, "PYTHONHASHSEED": seed},
                capture_output=True,
                check=True,
            )
            assert other.stdout == written.read_bytes(), (fmt, seed)
