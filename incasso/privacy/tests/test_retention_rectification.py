"""The retention sweep blanks a debtor's rectification history with the rest of its data (privacy statement: an
anonymised debtor keeps nothing personal), and its audit entry names the set that says so."""

import datetime

import pytest

from incasso.accounts.factories import UserFactory
from incasso.audit.models import AuditEvent, stored_fields
from incasso.cases.factories import CaseFactory
from incasso.parties.factories import ClientFactory, DebtorFactory
from incasso.privacy.retention.anonymise import MARKER
from incasso.privacy.retention.policies import retention_policies_ensure
from incasso.privacy.retention.sweep import retention_sweep
from incasso.rights.execution import request_execute
from incasso.rights.models import RectificationChange, RequestChannel, RequestKind
from incasso.rights.services import Requester, request_verify_staff, requests_receive

pytestmark = pytest.mark.django_db
CLOSED = datetime.date(2023, 3, 15)
EXPIRES = datetime.date(2026, 3, 15)


def _rectified(agency, *, closed: bool):
    """A debtor whose city was corrected on a rectification request, with one case (closed long ago or open)."""
    debtor = DebtorFactory(client=agency, email="jan@example.nl", city="Amsterdam")
    officer = UserFactory()
    (request,) = requests_receive(
        kind=RequestKind.RECTIFICATION,
        channel=RequestChannel.PHONE,
        requester=Requester(name="Jan", email="jan@example.nl"),
        actor=officer,
        debtors=[debtor],
        corrections={"city": "Utrecht"},
    )
    request_verify_staff(request=request, actor=officer, note="called back on the number on file")
    request_execute(request=request, actor=officer)
    if closed:
        CaseFactory(debtor=debtor, closed=True, closed_on=CLOSED, opened_on=datetime.date(2022, 1, 1))
    else:
        CaseFactory(debtor=debtor)
    return debtor


def test_the_sweep_blanks_the_old_and_new_values_and_keeps_the_change():
    retention_policies_ensure()
    agency = ClientFactory(is_agency=True)  # the controller of its own debtors: it rectifies them itself
    expired, kept = _rectified(agency, closed=True), _rectified(agency, closed=False)

    assert retention_sweep(as_of=EXPIRES).counts["debt_collection"] == {"removed": 1}

    change = RectificationChange.objects.get(debtor=expired)
    assert (change.field, change.old_value, change.new_value) == ("city", MARKER, MARKER)
    assert change.actor_label  # who changed what, when: not about the debtor, kept
    untouched = RectificationChange.objects.get(debtor=kept)
    assert (untouched.old_value, untouched.new_value) == ("Amsterdam", "Utrecht")
    event = AuditEvent.objects.get(source="retention sweep", subject_id=str(expired.pk))
    assert {"rights.RectificationChange.old_value", "rights.RectificationChange.new_value"} <= set(event.fields)
    stored = AuditEvent.objects.filter(pk=event.pk).annotate(stored=stored_fields()).values_list("stored", flat=True)
    assert list(stored) == [["@retention.anonymise/3"]]
