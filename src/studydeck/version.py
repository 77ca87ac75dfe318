"""The one place the version is written (pyproject.toml reads it from here), and a digest of
the code itself, so that caches and build states never outlive the code that made them."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

__version__ = "0.1.0"


@cache
def code_digest() -> str:
    """A hash of studydeck's own source and templates: changes with any edit, released or not."""
    package = Path(__file__).parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted([*package.rglob("*.py"), *package.rglob("*.typ")]):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
