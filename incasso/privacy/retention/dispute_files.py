"""The files debtors uploaded with a dispute, when their debtor is anonymised: the rows marked, the files deleted.

A dispute file's content may say anything about the person (its data-map declaration), and it lives in storage
(``INCASSO_MEDIA_DIR``), not in the database, so destroying the debtor's data key does not reach it. The rows of the
chunk's cases are read (one indexed query, which finds nothing for the many debtors who never disputed) and, if
there are any, marked in one UPDATE: the uploaded name and the file's hash go, the stored path becomes a marker
(unique, as the column must be) that no longer names a file. The files themselves are deleted once the
transaction commits: an anonymisation rolled back must not have lost the file, and a file that cannot be deleted
(logged) must not undo an anonymisation that did commit. A file already gone (a second anonymisation, a restore
re-applying one: storage is not in the backup) is no error.

The model belongs to the debtor portal, an interface the privacy app may not import: it is reached by its label.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat

from incasso.core.bulk_insert import AnyKey

logger = logging.getLogger(__name__)

DISPUTE_FILE = "debtor_portal.DisputeFile"
# What an anonymised row's stored path starts with: it names no file; the row's id keeps it unique.
GONE = "[anonymised]/"


def gone_path() -> Concat:
    """The stored path an anonymised dispute file's row gets, as one expression for all the chunk's rows."""
    return Concat(Value(GONE), Cast(F("pk"), CharField()))


def dispute_files_anonymise(cases: Any, *, updates: Mapping[str, Any]) -> int:
    """Mark the dispute files of ``cases`` (``AnyKey``'s right-hand side: the chunk's case ids) not marked yet with
    ``updates`` and delete their stored files after the caller's transaction commits; returns how many rows."""
    model = apps.get_model(DISPUTE_FILE)
    found = list(
        model._default_manager.filter(AnyKey(F("case_id"), cases))
        .exclude(stored_path__startswith=GONE)
        .values_list("pk", "stored_path")
    )
    if not found:
        return 0
    model._default_manager.filter(AnyKey(F("pk"), [pk for pk, _path in found])).update(**updates)
    transaction.on_commit(functools.partial(stored_files_delete, [path for _pk, path in found]))
    return len(found)


def stored_files_delete(paths: Sequence[str]) -> None:
    """Delete these stored dispute files (relative to the media directory); one that cannot be deleted is logged and
    the others still go. A path leading outside the media directory is refused (logged), never followed."""
    media = settings.INCASSO_MEDIA_DIR.resolve()
    for relative in paths:
        path = (media / relative).resolve()
        if not path.is_relative_to(media) or path == media:
            logger.error("dispute file %r not deleted: outside the media directory", relative)
            continue
        try:
            path.unlink(missing_ok=True)
        except OSError as error:
            logger.error("dispute file %r of an anonymised debtor not deleted: %s", relative, error)
