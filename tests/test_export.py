"""`studydeck export`: csv, Anki tsv, markdown, json and a self-contained html page."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from anki.collection import ImportCsvRequest

from studydeck import api
from studydeck.anki.notes import note_guid
from studydeck.export import FORMATS, export_csv, export_html, export_json, export_markdown, export_tsv

from anki_backend import import_package, new_collection, notes_by_item_id
from helpers import CardsFolder

HOSTILE_YAML = """\
items:
  - id: hostile
    category: mechanism
    q: "5 < 10 & <script>document.title='pwned'</script>"
    a: "<img src=x onerror=\\"document.title='pwned'\\"> [link](javascript:alert(1))"
"""


@pytest.fixture
def hostile(folder: CardsFolder) -> CardsFolder:
    folder.write("hostile.yaml", HOSTILE_YAML)
    return folder


def test_every_format_is_byte_identical_for_the_same_cards(folder: CardsFolder) -> None:
    for fmt in FORMATS:
        out = folder.root / f"cards.{fmt}"
        first = folder.run("export", "--format", fmt, "--out", str(out))
        assert first.exit_code == 0, first.output
        written = out.read_bytes()
        to_stdout = folder.run("export", "--format", fmt)
        assert to_stdout.stdout_bytes == written, fmt
        assert FORMATS[fmt](api.load_deck(folder.cards)).encode() == written, fmt


def test_csv_has_plain_fronts_and_backs(folder: CardsFolder) -> None:
    text = export_csv(api.load_deck(folder.cards))
    assert text.startswith("front,back,id,")  # two-column importers (Quizlet) take the first two
    rows = list(csv.DictReader(io.StringIO(text)))
    by_id = {row["id"]: row for row in rows}
    assert [row["id"] for row in rows] == ["ivig-dose", "ivig-brand", "cidp-remission"]
    cloze = by_id["cidp-remission"]
    assert cloze["front"] == "About _____ of CIDP patients reach _____ remission."
    assert cloze["back"] == "About 90% of CIDP patients reach complete or partial remission."
    assert cloze["source"] == "The source article · Prognosis"
    assert by_id["ivig-dose"]["wrong"] == "0.4 mg/kg per day for 5 days | 1 g/kg once"
    assert by_id["ivig-dose"]["deck"] == "Test deck::Drugs::Immunoglobulin"


def test_tsv_import_into_anki_updates_the_notes_the_apkg_created(folder: CardsFolder, tmp_path: Path) -> None:
    folder.build()
    col = new_collection(tmp_path / "anki")
    import_package(col, folder.package)
    before = notes_by_item_id(col)
    folder.edit("drugs.yaml", "0.4 g/kg per day IV for 5 days.", "0.4 g/kg per day IV for 5 days <b>(2 g/kg)</b>.")
    new_item = "  - id: ivig-new\n    category: indication\n    q: Use?\n    a: CIDP\n"
    folder.edit("drugs.yaml", "  - id: ivig-brand\n", new_item + "  - id: ivig-brand\n")
    tsv = tmp_path / "cards.tsv"
    tsv.write_text(export_tsv(api.load_deck(folder.cards)), encoding="utf-8")

    # Anki reads the file's own headers (#separator, #html, #notetype/deck/guid/tags column).
    log = col.import_csv(ImportCsvRequest(path=str(tsv), metadata=col.get_csv_metadata(str(tsv), None))).log
    assert (len(log.new), len(log.updated), len(log.duplicate)) == (1, 1, 2)
    assert not log.conflicting and not log.missing_notetype
    after = notes_by_item_id(col)
    assert all(len(ids) == 1 for ids in after.values()), "no duplicate notes"
    assert after["ivig-dose"] == before["ivig-dose"]
    edited = col.get_note(after["ivig-dose"][0])
    assert edited["Answer"] == "0.4 g/kg per day IV for 5 days &lt;b&gt;(2 g/kg)&lt;/b&gt;."  # escaped, as in the .apkg
    assert sorted(edited.tags) == ["category::dosing", "ivig", "source::src"]
    cloze = col.get_note(after["cidp-remission"][0])
    assert cloze["ID"] == "cidp-remission"  # the cloze note's shorter field list lines up
    new = col.get_note(after["ivig-new"][0])
    assert col.decks.name(col.get_card(new.card_ids()[0]).did) == "Test deck::Drugs::Immunoglobulin"


def test_tsv_uses_the_packages_guids_and_escapes_text(hostile: CardsFolder) -> None:
    cards = api.load_deck(hostile.cards)
    text = export_tsv(cards)
    assert text.startswith("#separator:tab\n#html:true\n")
    assert "#guid column:3\n" in text
    rows = list(csv.reader(io.StringIO(text), delimiter="\t"))
    data = [row for row in rows if not row[0].startswith("#")]
    assert [row[2] for row in data] == [note_guid("test-deck", item.id) for item in cards.items]
    assert "<script>" not in text and "onerror=" not in text.replace("onerror=&quot;", "")
    assert "5 &lt; 10 &amp; &lt;script&gt;" in text


def test_json_holds_the_cards_as_written(folder: CardsFolder) -> None:
    data = json.loads(export_json(api.load_deck(folder.cards)))
    assert data["deck"]["id"] == "test-deck"
    assert data["deck"]["sources"]["src"]["reviewed"] == "2025-07-04"
    item = data["items"][2]
    assert item["id"] == "cidp-remission" and item["kind"] == "cloze"
    assert item["cloze"] == "About {{c1::90%}} of CIDP patients reach {{c2::complete or partial}} remission."
    assert item["guid"] == note_guid("test-deck", "cidp-remission")
    assert item["source"] == {"key": "src", "section": "Prognosis"}
    assert item["file"] == "drugs.yaml"


def test_markdown_groups_by_subdeck_in_remnote_syntax(hostile: CardsFolder) -> None:
    text = export_markdown(api.load_deck(hostile.cards))
    assert text.splitlines()[:4] == ["# Test deck", "", "A deck for tests", ""]
    assert "## Drugs › Immunoglobulin" in text
    assert "- Which class does IVIG belong to? >> Immunoglobulins" in text
    assert "- About {{90%}} of CIDP patients reach {{complete or partial}} remission." in text
    assert "    - Source: The source article · Prognosis" in text
    assert r"5 \< 10 & \<script>" in text  # shows literally in any Markdown viewer


def test_html_escapes_text_and_keeps_everything_inline(hostile: CardsFolder) -> None:
    page = export_html(api.load_deck(hostile.cards))
    assert page.count("<script") == 1  # the page's own search script, nothing from the cards
    assert "5 &lt; 10 &amp; &lt;script&gt;document.title=" in page
    assert "<img" not in page and 'href="javascript:' not in page
    # Self-contained: no stylesheet, script or image is fetched; the only link is the source's.
    assert re.findall(r'(?:src|href)="([^"#]+)"', page) == ["https://example.org/article"] * 3
    assert '<mark class="cloze">90%</mark>' in page
    assert "Content-Security-Policy" in page


def test_export_usage_errors(folder: CardsFolder) -> None:
    inferred = folder.run("export", "--out", "cards.html")
    assert inferred.exit_code == 0 and (folder.root / "cards.html").read_text().startswith("<!DOCTYPE html>")
    no_format = folder.run("export")
    assert no_format.exit_code == 2
    assert "choose a --format" in no_format.stderr
    unknown = folder.run("export", "--format", "pdf")
    assert unknown.exit_code == 2


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="no headless browser: `chromium` not on PATH (apt-get install chromium)")
def test_html_page_in_a_real_browser_searches_and_runs_nothing_from_the_cards(hostile: CardsFolder) -> None:
    page = hostile.root / "cards.html"
    page.write_text(export_html(api.load_deck(hostile.cards)), encoding="utf-8")
    assert CHROMIUM is not None
    done = subprocess.run(
        [
            CHROMIUM,
            *("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"),
            *("--disable-component-update", "--disable-sync", "--no-first-run"),
            f"--user-data-dir={hostile.root / 'chromium-profile'}",
            "--dump-dom",
            page.as_uri() + "#q=immunoglobulins",  # the page opens with this search applied
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    )
    dom = done.stdout
    assert "<title>Test deck</title>" in dom  # no script from the cards ran
    assert "<img" not in dom and dom.count("<script") == 1
    assert "&lt;script&gt;document.title" in dom  # shown as text
    assert re.search(r'<div id="count">1 of 4 items</div>', dom), "the search script ran"
    cards = re.findall(r'<article class="card" id="item-([^"]+)"( hidden="")?>', dom)
    assert [item_id for item_id, hidden in cards if not hidden] == ["ivig-brand"]
    assert len(cards) == 4


FORMULAS = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "=HYPERLINK(\"https://e.org\")"]


def test_no_csv_cell_starts_a_spreadsheet_formula(folder: CardsFolder) -> None:
    """OWASP's advice against CSV injection (issue 16, item 8): a cell that would start a formula
    (=, +, -, @, a tab or a carriage return first) gets a leading ' and shows as text."""
    items = [
        {"id": f"f{n}", "category": "mechanism", "q": text, "a": text, "extra": text, "caution": text,
         "wrong": [text], "tags": ["x"], "source": {"key": "src", "section": text}}
        for n, text in enumerate(FORMULAS)
    ]  # fmt: skip
    items.append({"id": "cloze", "category": "mechanism", "cloze": "{{c1::-5}} mg"})
    folder.write("formulas.yaml", json.dumps({"items": items}))
    folder.write("deck.yaml", (folder.cards / "deck.yaml").read_text().replace("name: Test deck", "name: '=Deck'"))
    rows = list(csv.DictReader(io.StringIO(api.export(folder.cards, "csv")[0].decode())))
    for row in rows:
        for column, cell in row.items():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (column, cell)
    by_id = {row["id"]: row for row in rows}
    for n, text in enumerate(FORMULAS):
        row = by_id[f"f{n}"]
        assert row["front"] == row["back"] == row["extra"] == row["caution"] == row["wrong"] == "'" + text
        assert row["deck"] == "'=Deck"
    assert by_id["cloze"]["front"] == "_____ mg" and by_id["cloze"]["back"] == "'-5 mg"
    assert by_id["ivig-dose"]["back"] == "0.4 g/kg per day IV for 5 days."  # other cells as they were
