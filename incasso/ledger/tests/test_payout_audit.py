"""A payout audits itself (the person who asked, or the system), once; a statement download is audited for whoever
downloads it, from either portal."""

import datetime

import pytest
from django.contrib.auth.models import User

from incasso.audit.models import AuditAction, AuditEvent
from incasso.ledger.errors import NothingToPayOut
from incasso.ledger.services import payment_receive, payout_create, payout_statement_download
from incasso.ledger.tests.conftest import eur

pytestmark = pytest.mark.django_db
AUGUST = (datetime.date(2023, 8, 1), datetime.date(2023, 8, 31))


@pytest.fixture
def paid_case(worked_case):
    payment_receive(
        case_id=worked_case.pk, amount=eur("600.00"), received_on=datetime.date(2023, 8, 15), key="p-1", source="t"
    )
    return worked_case


@pytest.fixture
def finance(db):
    return User.objects.create_user("finance@example.com")


def _pay_out(case, **audit):
    return payout_create(client_id=case.client_id, period_start=AUGUST[0], period_end=AUGUST[1], key="po-1", **audit)


def _made(payout):
    return AuditEvent.objects.filter(action=AuditAction.CREATE, details__payout=payout.pk)


def test_a_payout_asked_for_by_a_person_is_audited_with_them_once(paid_case, finance):
    payout = _pay_out(paid_case, actor=finance, source="10.0.0.1")
    assert _pay_out(paid_case, actor=finance, source="10.0.0.1") == payout  # the replay writes nothing
    event = _made(payout).get()
    assert (event.actor_id, event.actor_label, event.source) == (finance.pk, "finance@example.com", "10.0.0.1")
    assert (event.subject_type, event.subject_id) == ("parties.Client", str(paid_case.client_id))
    assert (event.purpose, event.fields) == ("bookkeeping", ["statement", "credit_transfer_xml"])
    assert event.details == {"payout": payout.pk, "period_end": "2023-08-31", "net_cents": payout.net_cents}


def test_a_payout_without_a_person_is_audited_as_the_system(paid_case):
    event = _made(_pay_out(paid_case)).get()
    assert (event.actor_id, event.actor_label, event.source) == (None, "system", "system")


def test_nothing_to_pay_out_audits_nothing(worked_case, finance):
    with pytest.raises(NothingToPayOut):
        _pay_out(worked_case, actor=finance, source="10.0.0.1")
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE).exists()


@pytest.mark.parametrize(("file_format", "starts"), [("csv", b"case,"), ("pdf", b"%PDF")])
def test_a_statement_download_is_audited_for_the_reader(paid_case, finance, file_format, starts):
    payout = _pay_out(paid_case)
    content = payout_statement_download(payout=payout, user=finance, file_format=file_format, source="10.0.0.2")
    assert content.startswith(starts)
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, details__payout=payout.pk)
    assert (event.actor_id, event.fields, event.source) == (finance.pk, ["statement"], "10.0.0.2")
    assert event.details == {"payout": payout.pk, "format": file_format}
