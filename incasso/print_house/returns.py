"""Returned post: a letter the print house reports undeliverable (address unknown, moved) is marked returned and
someone is asked to find the debtor's current address before the next letter goes to the old one.

There is no queued per-debtor address look-up in ``integrations`` yet (the address feed runs for everyone on its
schedule), so the staff task is what sets the address check in motion.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from incasso.cases.models import TaskKind
from incasso.cases.services import task_create
from incasso.communications.models import Letter, LetterStatus

# Working days are not counted here: the task is due within the week, before the next letter is planned.
FIND_ADDRESS_WITHIN = datetime.timedelta(days=5)


def letters_returned(*, letters: list[Letter], reasons: dict[int, str], on: datetime.date) -> None:
    """Mark ``letters`` returned and queue one address task per letter (queuing it again returns the first)."""
    if not letters:
        return
    Letter.objects.filter(pk__in=[letter.pk for letter in letters]).update(status=LetterStatus.RETURNED)
    for letter in letters:
        letter.status = LetterStatus.RETURNED
        task_create(
            kind=TaskKind.GENERAL,
            title=_("Letter returned undelivered on case %(case)s: find the debtor's current address")
            % {"case": letter.case.number},
            details=reasons.get(letter.pk, ""),
            due_on=on + FIND_ADDRESS_WITHIN,
            case=letter.case,
            idempotency_key=f"letter-returned:{letter.pk}",
        )
