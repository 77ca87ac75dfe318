"""Every output byte stays what it was: SHA-256s of the outputs of two frozen decks.

`tests/data/golden-deck` is the shipped deck (cards and lockfile) as it was on 2026-11-30;
the large deck is `benchmarks/build_speed.py`'s synthetic corpus. Both are built, printed and
exported with a fixed clock, and each output's SHA-256 must equal the one recorded here.
A change that alters an output on purpose (a new field, a fixed bug) updates the hash in
the same commit and says why; a refactoring never does. Changed on purpose so far: the
package gained `studydeck.json` for `studydeck apply`, and the lockfile marks cloze items
(format 2); the collection inside the package and every other output stayed the same.
"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from studydeck import api
from studydeck.cli import cli
from studydeck.source.selection import Filters

DATA = Path(__file__).parent / "data"
NOW = 1_800_000_000.0  # fixed, so that items the lockfile lacks get a known time

GOLDEN = {
    "shipped": {
        "neuropathy-treatment.apkg": "eaef99cf03c004e2f6f3c73c3c6ca26c821f9536169f98f81856573d2359d432",
        "neuropathy-treatment-quiz.pdf": "1500d864905e71396ba3d20ff2e73b4386e7fecbd11d6c201dd9ed6949aab263",
        "neuropathy-treatment-quiz-key.pdf": "bb6d57316d27043e04d94dbd0654256f96900abbd27aa5182044c50461e16a7c",
        "neuropathy-treatment-flashcards.pdf": "b9b4b0239ae86cc9f3a0b078a38519bd4c553bfb8f712c36d81b373b13012475",
        "studydeck.lock": "e81192bba53b3ba705dee316078a91097aa67e54bad1ff44e203559525c21a12",
        "quiz-A.pdf": "8df1c211d44de4b14c9adae8e6818cd7e4da21c0a196471e0f02a338274c130f",
        "quiz-A-key.pdf": "2433bc49ec83dd2b54140fde306742846eda1d332bb0c45b9a2783ef691a9be5",
        "quiz-B.pdf": "f8977240cbd8ccd3d8f60cecc529b6eb9c0742d70710221205b3f8667d770283",
        "quiz-B-key.pdf": "ae9b001a764ce6029ce127ed54da8c09efd0e8ba268459dca751823a27d4b5ba",
        "cidp-cards.pdf": "1b8fab87b3c7f26f79ba3c3f0bf76e679c9663fa540c2b0d7a97f60ba1d9183b",
        "export.csv": "4c12046e8e8fddafe685f74d52ef07f24ea187ebfc17bac78796871005a51d62",
        "export.tsv": "213d6be69caafe2d1eaaad81066f0f595bd95fa82c6a57e66cfca060ae25c7a6",
        "export.markdown": "22c2d9a5398fcb81dc4bcd0bd70623bd0d9847e1c844d9aae9bbfd2d39c02e23",
        "export.json": "4fae89ba05d4a1af8823b42429b2db5831bd4b06aace2aa27b371d2efee214b1",
        "export.html": "6e122732c67767af6fab67f136b8d4a75cf00861fd58bf9c5c4d3fa3933661c6",
    },
    "large": {
        "synthetic-deck.apkg": "d13f9ef90bcbd0f20ebca4e9e0d5037a9d873065271edbf63520d3191e9f7ef8",
        "studydeck.lock": "12921e4ebf0923e3803ca7203a1654ce10775fb55563c2d2ced854ed6def1368",
        "export.csv": "3fa3f63da3f50e5e69a0ae384c61e7d1e6b7e1d92965ab19f663dc925839f32f",
        "export.tsv": "2b86377b5683e2725e979c8cf41f56d66c1aebea7b9c04ba03db074e68b20795",
        "export.json": "6a05bff491a542ee602b3bc98fa1d8103128bed59a762bc4b7003ce316237021",
    },
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def exports(cards: Path, out: Path, formats: list[str]) -> dict[str, str]:
    hashes = {}
    for fmt in formats:
        target = out / f"export.{fmt}"
        result = CliRunner().invoke(cli, ["export", "--cards", str(cards), "--format", fmt, "--out", str(target)])
        assert result.exit_code == 0, result.output
        hashes[target.name] = sha256(target)
    return hashes


def shipped_outputs(root: Path) -> dict[str, str]:
    cards, out = root / "cards", root / "build"
    shutil.copytree(DATA / "golden-deck", cards)
    result = api.build(cards, out, now=NOW)
    hashes = {path.name: sha256(path) for path in (result.package, *result.printouts)}
    hashes["studydeck.lock"] = sha256(cards / "studydeck.lock")
    quiz = api.quiz(cards, out / "quiz.pdf", mode="choice", seed=7, versions=2, count=60)
    hashes.update({path.name: sha256(path) for path in quiz.files})
    cidp = api.flashcards(cards, out / "cidp-cards.pdf", filters=Filters(decks=("Polyneuropathy::CIDP",)))
    hashes[cidp.file.name] = sha256(cidp.file)
    hashes.update(exports(cards, out, ["csv", "tsv", "markdown", "json", "html"]))
    return hashes


def large_outputs(root: Path) -> dict[str, str]:
    script = Path(__file__).parents[1] / "benchmarks" / "build_speed.py"
    spec = importlib.util.spec_from_file_location("build_speed", script)
    assert spec is not None and spec.loader is not None
    build_speed = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = build_speed  # (its dataclasses look their module up)
    spec.loader.exec_module(build_speed)
    build_speed.generate(root, 5000)
    cards, out = root / "cards", root / "build"
    result = api.build(cards, out, now=NOW)
    hashes = {result.package.name: sha256(result.package), "studydeck.lock": sha256(cards / "studydeck.lock")}
    hashes.update(exports(cards, out, ["csv", "tsv", "json"]))
    return hashes


@pytest.mark.parametrize("deck", ["shipped", "large"])
def test_outputs_are_byte_for_byte_what_they_were(deck: str, tmp_path: Path) -> None:
    made = shipped_outputs(tmp_path) if deck == "shipped" else large_outputs(tmp_path)
    assert made == GOLDEN[deck]
