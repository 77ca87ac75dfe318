"""Faults: killed builds, concurrent builds, and outputs that cannot be written (issue 6).

Whatever happens, the previous outputs and the lockfile are either exactly as they were or
exactly what a completed build writes, never a mixture within a file, and the next build
succeeds.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from studydeck import api
from studydeck.engine.exclusive import exclusive_build
from studydeck.engine.index import COLLECTION_FILE, INDEX_FILE
from studydeck.engine.state import STATE_FILE

from helpers import BOOKKEEPING, CardsFolder

KILLS = 16


def studydeck(*args: str) -> list[str]:
    return [sys.executable, "-m", "studydeck", *args]


@pytest.fixture
def private_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Builds in this process and in the processes it starts use a cache of their own."""
    monkeypatch.setenv("STUDYDECK_CACHE_DIR", str(tmp_path / "cache"))


def larger_deck(root: Path) -> CardsFolder:
    """Six card files of ten items; each file can be switched off (renamed) and on again."""
    folder = CardsFolder(root)
    folder.write("deck.yaml", "name: Fault deck\nid: test-deck\nsources:\n  src:\n    title: The source\n")
    for part in range(6):
        lines = [f"deck: Part {part}", "source: src", "items:"]
        for n in range(part * 10, part * 10 + 10):
            lines += [
                f"  - id: item-{n}",
                "    category: dosing",
                f"    q: What is the dose of drug {n} in condition {n}?",
                f"    a: {n + 1} mg/kg per day for {n % 7 + 1} days.",
            ]
        folder.write(f"part-{part}.yaml", "\n".join(lines) + "\n")
    return folder


def outputs(folder: CardsFolder) -> dict[str, bytes]:
    """Every file the build owns: outputs (temporaries included) and the lockfile."""
    files = [p for p in [*folder.out.iterdir(), folder.lockfile] if p.is_file()]
    files += [p for p in folder.cards.iterdir() if p.name.startswith(".")]
    return {str(p.relative_to(folder.root)): p.read_bytes() for p in files}


def public(files: dict[str, bytes], folder: CardsFolder) -> dict[str, bytes]:
    """The outputs a user sees (not the build's own bookkeeping), by name."""
    return {Path(name).name: data for name, data in files.items() if not Path(name).name.startswith(".")}


def toggle_part(folder: CardsFolder, part: int) -> None:
    """Remove or restore one card file's items: builds that stamp no new times, so their outputs are
    a function of the cards alone and a completed build can say what a killed one was writing."""
    on, off = folder.cards / f"part-{part}.yaml", folder.cards / f"part-{part}.off"
    (on.rename(off) if on.exists() else off.rename(on))


def test_sigkill_at_random_points_loses_nothing(tmp_path: Path, private_cache: None) -> None:
    folder = larger_deck(tmp_path)
    folder.build()
    rng = random.Random(6)
    started = time.monotonic()
    toggle_part(folder, 0)
    assert subprocess.run(studydeck("build"), cwd=folder.root, capture_output=True).returncode == 0
    duration = time.monotonic() - started
    outcomes = {"old": 0, "new": 0}
    for kill in range(KILLS):
        toggle_part(folder, rng.randrange(6))
        before = outputs(folder)
        process = subprocess.Popen(studydeck("build"), cwd=folder.root, stdout=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.1, 1.1) * duration)
        process.send_signal(signal.SIGKILL)
        process.wait()
        after_kill = outputs(folder)
        cold = CardsFolder(tmp_path / f"cold-{kill}")
        shutil.copytree(folder.cards, cold.cards)  # the cards and lockfile as the next build finds them

        # The lock died with the process. The same command again completes what the killed one began:
        assert folder.run("build").exit_code == 0
        completed = outputs(folder)
        assert not [name for name in completed if name.endswith(".tmp")], "temporaries left behind"
        # ...exactly as a build with no cache, no index and no earlier outputs would
        with pytest.MonkeyPatch.context() as m:
            m.setenv("STUDYDECK_CACHE_DIR", "")
            cold.build()
        assert public(outputs(folder), folder) == public(outputs(cold), cold), f"kill {kill}: differs from cold"
        for name, data in after_kill.items():
            if name.endswith((".tmp", "-journal")):
                continue
            if name.endswith(STATE_FILE):  # a record of file stats, not an output: it must only be whole
                json.loads(data)
                continue
            if name.endswith((INDEX_FILE, COLLECTION_FILE)):  # a shortcut the next build checks before use
                continue
            assert data in (before.get(name), completed.get(name)), f"kill {kill}: {name} is neither old nor new"
            outcomes["old" if data == before.get(name) else "new"] += 1
        kept = {n for n in before if not n.endswith((".tmp", INDEX_FILE, COLLECTION_FILE))}
        assert kept <= set(after_kill), "an output disappeared"
    print(f"build of {duration:.2f} s killed {KILLS} times; files found old/new after the kill: {outcomes}")
    again = folder.build()
    assert again.report.is_empty


def test_second_build_while_one_runs_says_so_and_changes_nothing(built: CardsFolder) -> None:
    built.edit("drugs.yaml", "Immunoglobulins", "Immunoglobulins (IVIG)")
    before = built.snapshot()
    with exclusive_build(built.cards):
        result = built.run("build")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: another studydeck build is running on cards; wait for it to finish")
    assert "Traceback" not in result.output
    assert built.snapshot() == before
    assert built.run("build").exit_code == 0  # and once it is finished, the next one runs


def test_lock_repair_is_refused_while_a_build_runs(built: CardsFolder) -> None:
    with exclusive_build(built.cards):
        result = built.run("lock", "--repair")
    assert result.exit_code == 1 and "another studydeck build is running" in result.stderr


def test_two_builds_started_at_once_do_not_corrupt_anything(tmp_path: Path, private_cache: None) -> None:
    folder = larger_deck(tmp_path)
    folder.build()
    for part in range(3):
        toggle_part(folder, part)
        processes = [
            subprocess.Popen(
                studydeck("build"), cwd=folder.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for _ in range(2)
        ]
        stderrs = [p.communicate()[1] for p in processes]
        results = [(p.returncode, stderr) for p, stderr in zip(processes, stderrs, strict=True)]
        assert any(status == 0 for status, _ in results), results
        for status, stderr in results:
            assert status in (0, 1), stderr
            if status == 1:
                assert "another studydeck build is running on cards" in stderr
        assert folder.build().report.is_empty  # the winner wrote a complete, consistent build
        assert api.load_lockfile(folder.cards).items


def test_output_folder_that_is_a_file(built: CardsFolder) -> None:
    built.edit("drugs.yaml", "Immunoglobulins", "Immunoglobulins (IVIG)")  # the lockfile would change too
    (built.root / "blocked").write_text("a file, not a folder")
    before = built.snapshot()
    result = built.run("build", "--out", "blocked/build")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith("error: cannot write in blocked/build: Not a directory")
    assert "The previous outputs were left as they were." in result.stderr
    assert built.snapshot() == before


def test_report_written_to_a_full_disk(built: CardsFolder) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    built.edit("drugs.yaml", "Immunoglobulins", "Immunoglobulins (IVIG)")
    with open("/dev/full", "w") as full:
        result = subprocess.run(studydeck("build"), cwd=built.root, stdout=full, stderr=subprocess.PIPE, text=True)
    assert result.returncode == 1
    assert result.stderr == "error: No space left on device\n"
    api.load_lockfile(built.cards)  # the build itself completed before the report failed
    assert built.build().report.is_empty


# -- read-only and full filesystems -------------------------------------------------------------
# Root writes through file permissions, so as root these run studydeck in a private mount
# namespace (unshare) where the folder is mounted read-only, or on a tiny tmpfs.


def run_with_mount(folder: CardsFolder, mount: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`studydeck *args` after the shell command ``mount`` in a private mount namespace; the outputs
    as the build left them are copied to `<root>/seen` before the namespace goes away."""
    if not shutil.which("unshare"):
        pytest.skip("unshare (util-linux) is not installed")
    unshare = ["unshare", "--mount", *([] if os.geteuid() == 0 else ["--map-root-user"])]
    probe_dir = folder.root / "probe"
    probe_dir.mkdir()
    probe = subprocess.run(
        [*unshare, "mount", "-t", "tmpfs", "-o", "size=4k", "probe", str(probe_dir)], capture_output=True
    )
    if probe.returncode != 0:
        pytest.skip(f"cannot mount in a private namespace here: {probe.stderr.decode().strip()}")
    script = f"set -e; {mount}; set +e; {' '.join(studydeck(*args))}; status=$?; cp -a build seen; exit $status"
    return subprocess.run([*unshare, "sh", "-c", script], cwd=folder.root, capture_output=True, text=True)


def seen_outputs(folder: CardsFolder) -> dict[str, bytes]:
    """The outputs left in the (unmounted) output folder, without the build's bookkeeping."""
    return {
        p.name: p.read_bytes() for p in (folder.root / "seen").iterdir() if p.is_file() and p.name not in BOOKKEEPING
    }


def test_read_only_output_folder(built: CardsFolder) -> None:
    built.edit("drugs.yaml", "Immunoglobulins", "Immunoglobulins (IVIG)")
    before = built.snapshot()
    old = {p.name: p.read_bytes() for p in built.out.iterdir() if p.is_file() and p.name not in BOOKKEEPING}
    if os.geteuid() != 0:
        built.out.chmod(0o555)
        try:
            result = built.run("build")
        finally:
            built.out.chmod(0o755)
        assert result.exit_code == 1
        assert "error: cannot write in build: Permission denied" in result.stderr
    else:
        result = run_with_mount(built, "mount --bind build build && mount -o remount,bind,ro build", "build")
        assert result.returncode == 1, result.stderr
        assert result.stderr.startswith("error: cannot write in build: Read-only file system"), result.stderr
        assert seen_outputs(built) == old
    assert "The previous outputs were left as they were." in result.stderr
    assert built.snapshot() == before


def test_read_only_cards_folder_when_the_lockfile_must_change(built: CardsFolder) -> None:
    built.edit("drugs.yaml", "Immunoglobulins", "Immunoglobulins (IVIG)")
    before = built.snapshot()
    if os.geteuid() != 0:
        built.cards.chmod(0o555)
        try:
            result = built.run("build")
        finally:
            built.cards.chmod(0o755)
        stderr = result.stderr
        assert result.exit_code == 1
    else:
        completed = run_with_mount(built, "mount --bind cards cards && mount -o remount,bind,ro cards", "build")
        stderr = completed.stderr
        assert completed.returncode == 1, stderr
    assert stderr.startswith("error: cannot write in cards: "), stderr
    assert built.snapshot() == before


def test_full_disk_while_writing_outputs(built: CardsFolder) -> None:
    """The outputs live on a tmpfs with room for the old ones only; the new ones do not fit."""
    old = {p.name: p.read_bytes() for p in built.out.iterdir() if p.is_file()}
    built.write("media/big.png", os.urandom(400_000))  # a picture that makes the new package big
    built.edit("drugs.yaml", "    reverse: true\n", "    reverse: true\n    image: media/big.png\n")
    room = sum(len(data) for data in old.values()) // 1024 + 64
    saved = built.root / "saved"
    shutil.copytree(built.out, saved)
    lock_before = built.lockfile.read_bytes()
    mount = f"mount -t tmpfs -o size={room}k tmpfs build && cp -a saved/. build/"
    result = run_with_mount(built, mount, "build")
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("error: cannot write"), result.stderr
    assert "No space left on device" in result.stderr or "disk is full" in result.stderr
    assert "Traceback" not in result.stderr
    assert seen_outputs(built) == {k: v for k, v in old.items() if k not in BOOKKEEPING}, "an old output was lost"
    assert built.lockfile.read_bytes() == lock_before
    assert built.run("check").exit_code == 0  # the cards themselves are fine: only the disk was full


# -- what an error says was left (issue 16, item 13) ---------------------------------------------


def test_an_error_between_two_renames_names_the_files_already_new(built: CardsFolder) -> None:
    """Outputs are renamed into place one after another: when one rename fails, the message says
    which files are new already, and only those changed."""
    built.edit("drugs.yaml", "Immunoglobulins", "Immunoglobulins (IVIG)")
    key = built.out / "test-deck-quiz-key.pdf"
    key.unlink()
    key.mkdir()  # its rename fails, after the package's and the question sheet's
    before = {p.name: p.stat().st_ino for p in built.out.iterdir() if p.is_file()}  # (a renamed file is a new one)
    lock_before = built.lockfile.read_bytes()
    result = built.run("build")
    assert result.exit_code == 1
    error, written = result.stderr.splitlines()
    assert error.startswith("error: cannot write build/test-deck-quiz-key.pdf: Is a directory"), error
    assert written == (
        "Written before the error: build/test-deck.apkg, build/test-deck-quiz.pdf; "
        "every other output was left as it was."
    )
    assert "left as they were" not in result.stderr
    after = {p.name: p.stat().st_ino for p in built.out.iterdir() if p.is_file()}
    changed = {name for name in before if after.get(name) != before[name]} - BOOKKEEPING
    assert changed == {"test-deck.apkg", "test-deck-quiz.pdf"}
    assert built.lockfile.read_bytes() == lock_before
    key.rmdir()
    assert built.run("build").exit_code == 0


def test_an_error_after_the_renames_says_the_outputs_are_new(built: CardsFolder) -> None:
    built.edit("drugs.yaml", "Immunoglobulins", "Immunoglobulins (IVIG)")
    (built.out / STATE_FILE).unlink()
    (built.out / STATE_FILE).mkdir()  # the build's record, written last, cannot be
    result = built.run("build")
    assert result.exit_code == 1
    error, written = result.stderr.splitlines()
    assert "(after the new outputs were in place)" in error, error
    assert written == (
        "Written before the error: build/test-deck.apkg, build/test-deck-quiz.pdf, build/test-deck-quiz-key.pdf, "
        "build/test-deck-flashcards.pdf, cards/studydeck.lock; every other output was left as it was."
    )
    (built.out / STATE_FILE).rmdir()
    assert built.run("build").exit_code == 0
    assert built.build().report.is_empty


def test_an_error_before_the_renames_still_says_nothing_changed(built: CardsFolder) -> None:
    built.edit("drugs.yaml", "Immunoglobulins", "Immunoglobulins (IVIG)")
    before = built.snapshot()
    with exclusive_build(built.cards):
        result = built.run("build")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "The previous outputs were left as they were."
    assert built.snapshot() == before


def test_two_decks_building_into_one_output_folder_at_once(tmp_path: Path, private_cache: None) -> None:
    """Two decks, one --out (issue 16, item 17): they failed with "disk I/O error" or "no such table:
    notes" on each other's working files. One build at a time per output folder: the other stops
    at once, says why, and changes nothing; each finished build is whole."""
    decks = [larger_deck(tmp_path / "a"), larger_deck(tmp_path / "b")]
    decks[1].edit("deck.yaml", "id: test-deck", "id: other-deck")
    out = tmp_path / "shared-out"
    outcomes = set()
    for round_ in range(8):
        for deck in decks:
            toggle_part(deck, round_ % 2)
        processes = [
            subprocess.Popen(
                studydeck("build", "--cards", str(deck.cards), "--out", str(out)),
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )
            for deck in decks
        ]  # fmt: skip
        for process in processes:
            _, stderr = process.communicate()
            assert process.returncode in (0, 1), stderr
            if process.returncode == 1:
                assert stderr.startswith(f"error: another studydeck build is running writing to {out}"), stderr
                assert stderr.splitlines()[-1] == "The previous outputs were left as they were."
            outcomes.add(process.returncode)
        for deck, deck_id in zip(decks, ("test-deck", "other-deck"), strict=True):
            result = api.build(deck.cards, out)  # completes what the loser left undone
            assert (out / f"{deck_id}.apkg").is_file() and result.note_count > 0
    assert 0 in outcomes
    for deck in decks:
        assert api.build(deck.cards, out).report.is_empty


def test_a_build_waits_for_no_one_on_another_output_folder(built: CardsFolder) -> None:
    with exclusive_build(built.cards.parent / "other-cards", built.root / "elsewhere"):
        assert built.run("build").exit_code == 0
    with exclusive_build(built.root / "other-cards", built.out):
        result = built.run("build")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: another studydeck build is running writing to build; wait for it")
