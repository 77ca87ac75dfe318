"""`studydeck watch`, run as a user runs it: a real process, real saves, Ctrl-C at the end."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from helpers import CardsFolder

#: Generous: a rebuild takes well under a second, but the machine may be busy with other tests.
PATIENCE_SECONDS = 60


def studydeck_command() -> list[str]:
    """The installed console script, or the module when the venv's bin folder is not on PATH."""
    installed = shutil.which("studydeck") or str(Path(sys.executable).with_name("studydeck"))
    return [installed] if Path(installed).exists() else [sys.executable, "-m", "studydeck"]


class Watcher:
    """A running `studydeck watch`, its output read line by line as it comes."""

    def __init__(self, folder: CardsFolder, *args: str) -> None:
        env = {**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [*studydeck_command(), "watch", *args],
            cwd=folder.root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, text: str) -> int:
        """Read output until a line containing ``text``; its index in ``lines``."""
        deadline = time.monotonic() + PATIENCE_SECONDS
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                raise AssertionError(f"watch exited before printing {text!r}:\n" + "\n".join(self.lines))
            self.lines.append(line)
            if text in line:
                return len(self.lines) - 1
        raise AssertionError(f"no {text!r} within {PATIENCE_SECONDS} s:\n" + "\n".join(self.lines))

    def stop(self) -> int:
        """Ctrl-C, as a terminal sends it; the exit status, once all output is read."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            status = self.process.wait(timeout=PATIENCE_SECONDS)
        finally:
            self.process.kill()
        while (line := self._queue.get(timeout=PATIENCE_SECONDS)) is not None:
            self.lines.append(line)
        return status


def test_watch_rebuilds_on_save_survives_bad_edits_and_stops_cleanly(folder: CardsFolder) -> None:
    watcher = Watcher(folder)
    try:
        watcher.wait_for("Built build/test-deck.apkg: 3 notes")
        watcher.wait_for("Watching cards for changes; press Ctrl-C to stop.")

        folder.edit("drugs.yaml", "0.4 g/kg per day IV for 5 days.", "0.4 g/kg per day IV for 5 days (2 g/kg).")
        watcher.wait_for("changed: cards/drugs.yaml")
        watcher.wait_for("  changed  ivig-dose")

        folder.edit("drugs.yaml", "category: dosing", "category: dosage")
        watcher.wait_for("cards/drugs.yaml:6:15: error: unknown category 'dosage'")
        assert watcher.process.poll() is None, "a bad edit stopped watch"

        folder.edit("drugs.yaml", "category: dosage", "category: dosing")
        burst = watcher.wait_for("Built build/test-deck.apkg: 3 notes")

        # A burst of saves (an editor's "save all") is one rebuild, not one per file.
        for n in range(8):
            item = f"  - id: new-{n}\n    category: dosing\n    q: Dose {n}?\n    a: {n} mg\n"
            folder.write(f"new{n}.yaml", "items:\n" + item)
        done = watcher.wait_for("Built build/test-deck.apkg: 11 notes")
        rebuilds = [line for line in watcher.lines[burst:done] if "] changed: " in line]
        assert 1 <= len(rebuilds) < 8, rebuilds
    finally:
        status = watcher.stop()
    output = "\n".join(watcher.lines)
    assert status == 0, output
    assert "Stopped watching." in output
    assert "Traceback" not in output


def test_watch_refuses_a_missing_cards_folder(tmp_path: Path) -> None:
    result = CardsFolder(tmp_path).run("watch")
    assert result.exit_code == 1
    assert result.stderr.startswith("cards: error: cards folder not found")


def test_watch_stops_cleanly_on_sigterm(folder: CardsFolder) -> None:
    """A process manager's SIGTERM is a clean stop too (exit 0, no traceback)."""
    watcher = Watcher(folder)
    try:
        watcher.wait_for("Watching cards for changes; press Ctrl-C to stop.")
        watcher.process.send_signal(signal.SIGTERM)
        status = watcher.process.wait(timeout=PATIENCE_SECONDS)
    finally:
        watcher.stop()
    output = "\n".join(watcher.lines)
    assert status == 0, output
    assert "Stopped watching." in output and "Traceback" not in output


# -- what watch notices: what build reads, by the same rules (issue 16, item 16) ---------------

SUB_ITEMS = "deck: Sub\nitems:\n  - id: in-sub\n    category: dosing\n    q: Sub dose?\n    a: 5 mg\n"


def _watching(folder: CardsFolder, *args: str) -> Watcher:
    watcher = Watcher(folder, *args)
    watcher.wait_for("Watching cards for changes; press Ctrl-C to stop.")
    return watcher


def _stopped(watcher: Watcher) -> str:
    status = watcher.stop()
    output = "\n".join(watcher.lines)
    assert status == 0 and "Traceback" not in output, output
    return output


def test_an_output_folder_that_holds_the_cards_or_starts_like_them_hides_nothing(folder: CardsFolder) -> None:
    """`--out .` and `--out car` (a text prefix of `cards`) made watch ignore every save: ignored
    folders were matched as text."""
    for out, package in ((".", "test-deck.apkg"), ("car", "car/test-deck.apkg")):
        watcher = _watching(folder, "--out", out)
        try:
            folder.edit("drugs.yaml", "Immunoglobulins", f"Immunoglobulins ({out})")
            watcher.wait_for("changed: cards/drugs.yaml")
            watcher.wait_for("  changed  ivig-brand")
        finally:
            _stopped(watcher)
        assert (folder.root / package).is_file()


def test_a_folder_moved_out_or_hidden_is_a_change(folder: CardsFolder) -> None:
    folder.write("sub/more.yaml", SUB_ITEMS)
    watcher = _watching(folder)
    try:
        assert any("Built build/test-deck.apkg: 4 notes" in line for line in watcher.lines)
        shutil.move(folder.cards / "sub", folder.root / "elsewhere")  # moved out of the cards folder
        watcher.wait_for("changed: cards/sub")
        watcher.wait_for("Built build/test-deck.apkg: 3 notes")
        watcher.wait_for("  removed  in-sub")
        shutil.move(folder.root / "elsewhere", folder.cards / "back")  # moved in again
        watcher.wait_for("Built build/test-deck.apkg: 4 notes")
        (folder.cards / "back").rename(folder.cards / ".hidden")  # renamed to a hidden name
        watcher.wait_for("changed: cards/back")
        watcher.wait_for("Built build/test-deck.apkg: 3 notes")
    finally:
        _stopped(watcher)


def test_build_and_watch_read_the_same_card_files(folder: CardsFolder) -> None:
    """`.YAML` and `.Yml` files were watched but not built: one rule (folder.is_card_file_name)."""
    from studydeck import api

    folder.write("Upper.YAML", SUB_ITEMS)
    assert "in-sub" in {item.id for item in api.load_deck(folder.cards).items}
    watcher = _watching(folder)
    try:
        assert any("Built build/test-deck.apkg: 4 notes" in line for line in watcher.lines)
        folder.write("More.Yml", SUB_ITEMS.replace("in-sub", "in-yml"))
        watcher.wait_for("changed: cards/More.Yml")
        watcher.wait_for("Built build/test-deck.apkg: 5 notes")
        folder.write(".hidden.yaml", SUB_ITEMS.replace("in-sub", "hidden"))  # neither reads these
        folder.write("notes.txt", "not a card file")
        folder.edit("drugs.yaml", "Immunoglobulins", "Immunoglobulins (IVIG)")
        changed = watcher.wait_for("changed: ")
        assert watcher.lines[changed].endswith("changed: cards/drugs.yaml"), watcher.lines[changed]
    finally:
        _stopped(watcher)


def outputs(folder: CardsFolder) -> dict[str, bytes]:
    files = [p for p in folder.out.iterdir() if p.is_file() and not p.name.startswith(".")]
    return {p.name: p.read_bytes() for p in sorted(files)} | {"lock": folder.lockfile.read_bytes()}


def assert_same_as_one_shot(folder: CardsFolder, tmp_path: Path, name: str) -> None:
    """What watch wrote is what `studydeck build` writes for the same cards and lockfile, from nothing."""
    cold = CardsFolder(tmp_path / name)
    shutil.copytree(folder.cards, cold.cards)
    saved = os.environ.get("STUDYDECK_CACHE_DIR")
    os.environ["STUDYDECK_CACHE_DIR"] = ""  # no cache: everything made afresh
    try:
        assert cold.run("build").exit_code == 0
    finally:
        os.environ["STUDYDECK_CACHE_DIR"] = saved or ""
    assert outputs(folder) == outputs(cold)


def test_watch_writes_what_build_writes_after_edits_renames_deletions_and_a_bad_edit(
    folder: CardsFolder, tmp_path: Path
) -> None:
    """Watch keeps its state in memory between saves; every output stays byte for byte what a
    one-shot build writes, and it notices outputs changed behind its back (issue 15)."""
    folder.write("more.yaml", "deck: More\nsource: src\nitems:\n" + new_item("more-1"))
    watcher = Watcher(folder)
    try:
        watcher.wait_for("Watching cards for changes")
        assert_same_as_one_shot(folder, tmp_path, "cold-0")

        folder.edit("drugs.yaml", "Immunoglobulins", "Immune globulins")
        watcher.wait_for("Items: 1 changed.")
        assert_same_as_one_shot(folder, tmp_path, "cold-1")

        (folder.cards / "more.yaml").rename(folder.cards / "renamed.yml")
        watcher.wait_for("changed: cards/more.yaml, cards/renamed.yml")
        watcher.wait_for("Built build/test-deck.apkg: 4 notes")
        assert_same_as_one_shot(folder, tmp_path, "cold-2")

        (folder.cards / "renamed.yml").unlink()
        watcher.wait_for("Items: 1 removed.")
        assert_same_as_one_shot(folder, tmp_path, "cold-3")

        before = folder.snapshot()
        folder.edit("drugs.yaml", "category: dosing", "category: dosage")
        watcher.wait_for("error: unknown category 'dosage'")
        assert folder.snapshot() == before, "a bad edit changed the outputs"
        folder.edit("drugs.yaml", "category: dosage", "category: dosing")
        watcher.wait_for("No changes since the last build.")
        assert folder.snapshot() == before

        # Behind watch's back: the package deleted, the state damaged (neither is a card file).
        folder.package.unlink()
        (folder.out / ".studydeck-build.json").write_text("{}")
        folder.write("added.yaml", "items:\n" + new_item("added-1"))
        watcher.wait_for("Items: 1 added.")
        assert_same_as_one_shot(folder, tmp_path, "cold-4")
    finally:
        status = watcher.stop()
    output = "\n".join(watcher.lines)
    assert status == 0, output
    assert "Traceback" not in output


def new_item(item_id: str) -> str:
    return f"  - id: {item_id}\n    category: dosing\n    q: Dose of {item_id}?\n    a: 5 mg\n"
