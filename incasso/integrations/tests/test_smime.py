"""S/MIME: mail to a recipient with a certificate on file is encrypted for it, and opens with its key."""

from __future__ import annotations

import datetime
import email
import socket

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from django.core import mail
from django.core.mail import EmailMessage

from incasso.integrations.smime import SmimeCertificateError, smime_certificate_register, smime_protect

NOW = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


def _certificate(email: str, *, days: int = 365) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "Jan Jansen")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(days=1))
        .not_valid_after(NOW + datetime.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def _pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def _message(to: str) -> EmailMessage:
    message = EmailMessage(subject="Herinnering - 2026-000001", body="Beste Jan, zie de bijlage.", to=[to])
    message.attach("reminder.pdf", b"%PDF-1.7 secret letter", "application/pdf")
    return message


@pytest.mark.django_db
def test_mail_to_a_recipient_with_a_certificate_is_encrypted_and_opens_with_its_key():
    key, certificate = _certificate("jan@example.nl")
    smime_certificate_register(email="Jan@example.nl", certificate_pem=_pem(certificate), now=NOW)

    smime_protect(_message("jan@example.nl"), now=NOW).send()

    sent = mail.outbox[0].message()
    raw = sent.as_bytes(linesep="\r\n")
    assert sent["Subject"] == "Herinnering - 2026-000001" and sent["To"] == "jan@example.nl"
    assert "application/pkcs7-mime" in sent["Content-Type"] and "enveloped-data" in sent["Content-Type"]
    assert b"secret letter" not in raw and b"Beste Jan" not in raw
    opened = pkcs7.pkcs7_decrypt_smime(raw, certificate, key, [])
    assert b"Beste Jan" in opened and b"reminder.pdf" in opened


@pytest.mark.django_db
def test_mail_without_a_certificate_goes_as_it_is():
    message = _message("piet@example.nl")
    assert smime_protect(message, now=NOW) is message


@pytest.mark.django_db
def test_an_expired_or_foreign_certificate_is_refused():
    _key, certificate = _certificate("jan@example.nl")
    with pytest.raises(SmimeCertificateError, match="not issued for"):
        smime_certificate_register(email="piet@example.nl", certificate_pem=_pem(certificate), now=NOW)
    with pytest.raises(SmimeCertificateError, match="expired"):
        smime_certificate_register(
            email="jan@example.nl", certificate_pem=_pem(certificate), now=NOW + datetime.timedelta(days=400)
        )
    with pytest.raises(SmimeCertificateError, match="PEM"):
        smime_certificate_register(email="jan@example.nl", certificate_pem="nonsense", now=NOW)


@pytest.mark.django_db
def test_the_encrypted_message_crosses_a_real_smtp_session_and_opens():
    from aiosmtpd.controller import Controller
    from django.core.mail.backends.smtp import EmailBackend

    received: list[bytes] = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope.content)
            return "250 OK"

    key, certificate = _certificate("jan@example.nl")
    smime_certificate_register(email="jan@example.nl", certificate_pem=_pem(certificate), now=NOW)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        backend = EmailBackend(host="127.0.0.1", port=port, timeout=5, use_tls=False, use_ssl=False)
        assert backend.send_messages([smime_protect(_message("jan@example.nl"), now=NOW)]) == 1
    finally:
        controller.stop()
    assert b"secret letter" not in received[0]
    assert b"%PDF-1.7 secret letter" in _decoded_pdf(pkcs7.pkcs7_decrypt_smime(received[0], certificate, key, []))


def _decoded_pdf(opened: bytes) -> bytes:
    part = next(p for p in email.message_from_bytes(opened).walk() if p.get_content_type() == "application/pdf")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload
