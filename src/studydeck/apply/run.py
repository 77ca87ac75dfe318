"""`apply_package`: the one function `studydeck apply` calls, and the Python API for it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from studydeck.apply.collection import is_backend_error, open_collection, require_anki
from studydeck.apply.deckpackage import read_package
from studydeck.apply.errors import ApplyError
from studydeck.apply.execute import Outcome, checkpoint, execute
from studydeck.apply.plan import ApplyOptions, Plan, make_plan
from studydeck.apply.profiles import backup_folder

__all__ = ["ApplyError", "ApplyOptions", "ApplyResult", "apply_package"]

DEFAULT_OPTIONS = ApplyOptions()


@dataclass(frozen=True)
class ApplyResult:
    plan: Plan
    applied: bool  # False: a dry run, or nothing to change
    backup: Path | None = None  # the .colpkg made before changing anything
    outcome: Outcome = field(default_factory=Outcome)


def apply_package(
    package: Path,
    collection: Path,
    options: ApplyOptions = DEFAULT_OPTIONS,
    *,
    dry_run: bool = False,
    show: Callable[[Plan], None] | None = None,
) -> ApplyResult:
    """Make ``collection`` (an Anki profile's collection.anki2) hold the deck as ``package`` says.

    Refuses (ApplyError, nothing changed) a collection open in another program, a file that
    is not a collection, a package that is not studydeck's. Otherwise computes the plan,
    passes it to ``show``, and unless ``dry_run`` (or there is nothing to change) backs the
    collection up in its profile's backups/ folder and carries the plan out.
    """
    require_anki()  # first: without it, nothing else matters
    deck_package = read_package(Path(package))
    collection = Path(collection)
    with open_collection(collection) as col:
        plan = make_plan(deck_package, col.state(deck_package), options)
        if show is not None:
            show(plan)
        if dry_run or not plan.changes_anything:
            return ApplyResult(plan, applied=False)
        backup = col.backup(backup_folder(collection))
        checkpoint("backup")
        try:
            outcome = execute(plan, col)
        except Exception as exc:
            if not is_backend_error(exc):
                raise  # a bug in studydeck: the command reports it as one
            # Anki refused a step: say where things stand, not a traceback.
            raise ApplyError(
                f"Anki stopped the apply part-way ({type(exc).__name__}: {exc}); the collection opens as usual "
                f"and running apply again continues; the backup from before is {backup}"
            ) from exc
        return ApplyResult(plan, applied=True, backup=backup, outcome=outcome)
