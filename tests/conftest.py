from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from helpers import CardsFolder


@pytest.fixture
def folder(tmp_path: Path) -> CardsFolder:
    """A small valid cards folder in a temporary directory."""
    return CardsFolder.example(tmp_path)
