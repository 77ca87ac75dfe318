"""The one error apply reports to a user (no traceback): what was refused or failed, and why."""

from __future__ import annotations


class ApplyError(Exception):
    """Apply refused or stopped; the message is one line for the learner."""


#: The optional dependency, and exactly what to run when it is missing.
INSTALL_HINT = "install it with `pip install 'studydeck[anki]'`"
