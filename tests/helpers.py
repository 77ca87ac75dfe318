"""Test helpers: small cards folders, the CLI, and the real Anki backend."""

from __future__ import annotations

import contextlib
import hashlib
import re
import signal
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner, Result

from studydeck import api
from studydeck.cli import cli
from studydeck.engine.index import COLLECTION_FILE, INDEX_FILE

BOOKKEEPING = {INDEX_FILE, COLLECTION_FILE}

DECK_YAML = """\
name: Test deck
id: test-deck
description: A deck for tests
sources:
  src:
    title: The source article
    url: https://example.org/article
    reviewed: 2025-07-04
"""

DRUGS_YAML = """\
deck: Drugs::Immunoglobulin
source: src
tags: [ivig]
items:
  - id: ivig-dose
    category: dosing
    q: What IVIG regimen is used in CIDP?
    a: 0.4 g/kg per day IV for 5 days.
    wrong: [0.4 mg/kg per day for 5 days, 1 g/kg once]
  - id: ivig-brand
    category: classification
    q: Which class does IVIG belong to?
    a: Immunoglobulins
    reverse: true
    allow: {short-reverse: "tests need a reverse card; a one-word answer keeps the fixtures short"}
  - id: cidp-remission
    category: prognosis
    cloze: "About {{c1::90%}} of CIDP patients reach {{c2::complete or partial}} remission."
    source: {key: src, section: Prognosis}
"""


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


@dataclass
class CardsFolder:
    """A cards folder and its output folder under a temporary directory."""

    root: Path

    @property
    def cards(self) -> Path:
        return self.root / "cards"

    @property
    def out(self) -> Path:
        return self.root / "build"

    @property
    def package(self) -> Path:
        return self.out / "test-deck.apkg"

    @property
    def lockfile(self) -> Path:
        return self.cards / "studydeck.lock"

    @classmethod
    def example(cls, root: Path) -> CardsFolder:
        folder = cls(root)
        folder.write("deck.yaml", DECK_YAML)
        folder.write("drugs.yaml", DRUGS_YAML)
        return folder

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.cards / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(dedent(text), encoding="utf-8")
        return path

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.cards / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    def build(self, **kwargs: object) -> api.BuildResult:
        return api.build(self.cards, self.out, **kwargs)  # type: ignore[arg-type]

    def run(self, *args: str) -> Result:
        """Run the CLI as a user would, from the folder above cards/."""
        runner = CliRunner()
        import os

        cwd = os.getcwd()
        os.chdir(self.root)
        try:
            return runner.invoke(cli, list(args), catch_exceptions=False)
        finally:
            os.chdir(cwd)

    def snapshot(self) -> dict[str, str]:
        """Hashes of every output and the lockfile, to prove that nothing changed.

        The build index and its working collection are left out: a build that fails while
        writing may discard them (the next build then starts from scratch)."""
        files = sorted(p for p in [*self.out.rglob("*"), self.lockfile] if p.is_file() and p.name not in BOOKKEEPING)
        return {str(p.relative_to(self.root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


#: One diagnostic as the CLI prints it (DESIGN §2); the position is left out only where there is none.
DIAGNOSTIC_LINE = re.compile(
    r'(?P<path>"(?:[^"\\]|\\.)*"|[^\s:"][^:"]*?)(?::(?P<line>[1-9]\d*):(?P<col>[1-9]\d*))?: '
    r"(?P<severity>error|warning): (?P<message>\S.*)"
)


def unquoted_path(shown: str) -> str:
    """A path as a diagnostic shows it, back as it is (a quoted one, `"a\\nb.yaml"`, as git quotes it)."""
    if not shown.startswith('"'):
        return shown
    import codecs

    raw = codecs.escape_decode(shown[1:-1].encode("utf-8"))[0]
    return raw.decode("utf-8", "surrogateescape")
ERROR_SUMMARY = re.compile(r"\d+ error\(s\), \d+ warning\(s\); nothing was written\.")
#: The line `build` prints for the warnings of one kind it did not show (issue 15).
MORE_OF_A_KIND = re.compile(r"… and [\d,]+ more: .+; run studydeck check to list them all")


def diagnostics_printed(result: Result) -> list[re.Match[str]]:
    """The diagnostic lines on stderr; fails the test if stderr holds anything else (a traceback, say)."""
    found = []
    for line in result.stderr.splitlines():
        match = DIAGNOSTIC_LINE.fullmatch(line)
        if match is None:
            assert ERROR_SUMMARY.fullmatch(line) or MORE_OF_A_KIND.fullmatch(line), (
                f"unexpected line on stderr: {line!r}\n{result.stderr}"
            )
        else:
            found.append(match)
    return found


class Hang(Exception):  # (not a TimeoutError: that is an OSError, which the CLI reports as one)
    pass


@contextlib.contextmanager
def within_seconds(seconds: float) -> Iterator[None]:
    """Fail, rather than hang, if the block runs longer than ``seconds`` (Unix: SIGALRM; the
    Python loop it interrupts is the kind that once looped forever)."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise Hang(f"still running after {seconds} s: a loop that does not end?")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
