"""The consent app's mail (newsletter, statement notices) is S/MIME-encrypted for a recipient with a certificate."""

from __future__ import annotations

import pytest
from django.core.mail import EmailMessage

from incasso.consent.mailing import messages_send
from incasso.integrations.smime import smime_certificate_register
from incasso.integrations.tests.test_smime import _certificate, _pem

pytestmark = pytest.mark.django_db


def test_a_batch_is_encrypted_for_the_recipient_with_a_certificate_and_plain_for_the_other(smtp_server):
    _key, certificate = _certificate("jan@example.nl")
    smime_certificate_register(email="jan@example.nl", certificate_pem=_pem(certificate))
    messages = [
        EmailMessage(subject="Nieuwsbrief", body=f"Beste {who}", to=[f"{who}@example.nl"]) for who in ("jan", "piet")
    ]

    assert messages_send(messages) == 2

    by_recipient = {message["To"]: message for message, _encrypted in smtp_server.messages}
    jan, piet = by_recipient["jan@example.nl"], by_recipient["piet@example.nl"]
    assert "application/pkcs7-mime" in jan["Content-Type"] and b"Beste jan" not in jan.as_bytes()
    assert jan["Subject"] == "Nieuwsbrief"
    assert piet.get_payload().strip() == "Beste piet"
