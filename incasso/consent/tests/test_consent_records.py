"""Consent records keep the exact versioned text shown, when, where and how; withdrawing is one call too."""

from __future__ import annotations

import pytest

from incasso.audit.models import AuditEvent
from incasso.consent.identity import ConsentSubject
from incasso.consent.models import ConsentRecord, DocumentKind, SubjectKind
from incasso.consent.selectors import consent_current, consent_given
from incasso.consent.services import (
    consent_give,
    consent_withdraw,
    document_version_create,
    document_version_publish,
)
from incasso.parties.factories import DebtorFactory

pytestmark = pytest.mark.django_db


def test_a_record_points_at_the_exact_text_shown_even_after_a_new_version():
    debtor = DebtorFactory()
    subject = ConsentSubject(SubjectKind.DEBTOR, str(debtor.pk))
    given = consent_give(subject=subject, purpose="newsletter", where="/newsletter/", method="checkbox", language="nl")
    shown = given.version.body_nl
    newer = document_version_create(
        kind=DocumentKind.CONSENT_TEXT,
        purpose="newsletter",
        title_nl="Nieuwsbrief",
        title_en="Newsletter",
        body_nl="Een andere tekst.",
        body_en="Another text.",
    )
    document_version_publish(version=newer)
    record = ConsentRecord.objects.get(pk=given.pk)
    assert record.version.number == 1 and record.version.body_nl == shown
    assert (record.where, record.method, record.language, record.given) == ("/newsletter/", "checkbox", "nl", True)
    assert record.recorded_at is not None
    later = consent_give(subject=subject, purpose="newsletter", where="/newsletter/", method="checkbox", language="en")
    assert later.version == newer
    assert AuditEvent.objects.filter(subject_type="consent.ConsentRecord", subject_id=str(given.pk)).exists()


def test_withdrawal_is_one_call_and_is_the_current_answer():
    subject = ConsentSubject(SubjectKind.CLIENT_CONTACT, "7")
    assert consent_current(subject, "marketing_cookies") is None
    consent_give(subject=subject, purpose="marketing_cookies", where="/cookies/", method="button", language="en")
    assert consent_given(subject, "marketing_cookies")
    consent_withdraw(subject=subject, purpose="marketing_cookies", where="/cookies/", method="button", language="en")
    current = consent_current(subject, "marketing_cookies")
    assert current is not None and current.given is False
    assert not consent_given(subject, "marketing_cookies")
    # the history stays: both answers are evidence
    assert ConsentRecord.objects.filter(subject_ref="7").count() == 2


@pytest.mark.parametrize(
    ("purpose", "where", "method", "language"),
    [
        ("nonsense", "/x/", "button", "nl"),
        ("newsletter", "", "button", "nl"),
        ("newsletter", "/x/", "telepathy", "nl"),
        ("newsletter", "/x/", "button", "de"),
    ],
)
def test_bad_input_records_nothing(purpose, where, method, language):
    subject = ConsentSubject(SubjectKind.VISITOR, "v" * 20)
    with pytest.raises(ValueError, match=r"unknown|where|language"):
        consent_give(subject=subject, purpose=purpose, where=where, method=method, language=language)
    assert not ConsentRecord.objects.exists()
