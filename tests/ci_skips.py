"""A pytest plugin (loaded by conftest.py): in CI, a skipped test is a failed test, unless the machine forced it.

On a developer's machine a test may skip when a program it drives is missing (`chromium`,
`git`, `unshare`…). CI installs those programs first (.ci/run, which then sets
STUDYDECK_CI=1), so a skip there means a test that never ran: it fails the run instead.
The only skips CI accepts are those the machine itself forces, listed in `FORCED_BY_THE_MACHINE`
by the start of their reason, and they are listed at the end of the run.

Every skip in tests/, and what CI makes of it:

- test_export.py, the HTML page in a real browser: no `chromium` → fails in CI (.ci/run installs it);
- test_diff.py, every test: no `git` → fails in CI (.ci/run installs it);
- test_faults.py, read-only and full filesystems: no `unshare` → fails in CI (util-linux, installed);
- test_faults.py, the same when the kernel or a container refuses a private mount namespace → allowed;
- test_faults.py, a report written to /dev/full when the machine has no /dev/full → allowed;
- test_hostile.py, a card file that is a named pipe, on a system without os.mkfifo (not Linux) → allowed.
"""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest

#: Reasons (their start) that CI accepts: no package install can help with these.
FORCED_BY_THE_MACHINE = (
    "cannot mount in a private namespace here",  # the sandbox refuses `unshare --mount`
    "no /dev/full on this system",  # a container without the device
    "no named pipes here",  # a platform without os.mkfifo
)

_allowed: list[tuple[str, str]] = []


def in_ci() -> bool:
    return os.environ.get("STUDYDECK_CI") == "1"


def _reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, None, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]
    if not in_ci() or not report.skipped or hasattr(report, "wasxfail"):
        return
    reason = _reason(report)
    if reason.startswith(FORCED_BY_THE_MACHINE):
        _allowed.append((item.nodeid, reason))
        return
    report.outcome = "failed"
    report.longrepr = f"skipped in CI, which installs every program the tests need (.ci/run): {reason}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if in_ci() and _allowed:
        terminalreporter.section("skips the machine forced (allowed in CI)")
        for nodeid, reason in _allowed:
            terminalreporter.write_line(f"{nodeid}: {reason}")
