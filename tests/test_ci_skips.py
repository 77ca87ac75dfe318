"""The CI rule for skips (tests/ci_skips.py), run on a small test file in a pytest of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SAMPLE = '''
import pytest

def test_runs():
    pass

def test_needs_a_program():
    pytest.skip("git is not installed")

@pytest.mark.skipif(True, reason="cannot mount in a private namespace here: Operation not permitted")
def test_the_sandbox_refuses():
    pass
'''


def run_pytest(tmp_path: Path, ci: bool) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_sample.py").write_text(SAMPLE)
    env = {key: value for key, value in os.environ.items() if key != "STUDYDECK_CI"}
    env["PYTHONPATH"] = str(Path(__file__).parent)
    if ci:
        env["STUDYDECK_CI"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "ci_skips", "-p", "no:cacheprovider", "-q", "-rs", "test_sample.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )


def test_in_ci_a_skip_for_a_missing_program_fails_and_a_forced_one_is_listed(tmp_path: Path) -> None:
    result = run_pytest(tmp_path, ci=True)
    assert result.returncode == 1, result.stdout
    assert "1 failed, 1 passed, 1 skipped" in result.stdout
    assert "skipped in CI, which installs every program the tests need (.ci/run): git is not installed" in result.stdout
    assert "skips the machine forced (allowed in CI)" in result.stdout
    assert "test_sample.py::test_the_sandbox_refuses: cannot mount in a private namespace here" in result.stdout


def test_on_a_developers_machine_skips_stay_skips(tmp_path: Path) -> None:
    result = run_pytest(tmp_path, ci=False)
    assert result.returncode == 0, result.stdout
    assert "1 passed, 2 skipped" in result.stdout
    assert "allowed in CI" not in result.stdout
