from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from ci_skips import pytest_runtest_makereport, pytest_terminal_summary  # noqa: F401  (hooks: CI fails on skips)

from helpers import CardsFolder


@pytest.fixture(scope="session", autouse=True)
def private_build_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests (and the commands they start) cache in a folder of their own, not the user's."""
    saved = os.environ.get("STUDYDECK_CACHE_DIR")
    os.environ["STUDYDECK_CACHE_DIR"] = str(tmp_path_factory.mktemp("studydeck-cache"))
    yield
    if saved is None:
        os.environ.pop("STUDYDECK_CACHE_DIR", None)
    else:
        os.environ["STUDYDECK_CACHE_DIR"] = saved


@pytest.fixture
def folder(tmp_path: Path) -> CardsFolder:
    """A small valid cards folder in a temporary directory."""
    return CardsFolder.example(tmp_path)


@pytest.fixture(scope="session")
def built_template(tmp_path_factory: pytest.TempPathFactory) -> CardsFolder:
    folder = CardsFolder.example(tmp_path_factory.mktemp("built-template"))
    folder.build()
    return folder


@pytest.fixture
def built(built_template: CardsFolder, tmp_path: Path) -> CardsFolder:
    """The example folder after a successful build (a copy of one built once per test session)."""
    shutil.copytree(built_template.root, tmp_path, symlinks=True, dirs_exist_ok=True)
    return CardsFolder(tmp_path)
