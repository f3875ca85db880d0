"""Requests by e-mail: the IMAP adapter reads the privacy mailbox over TLS from a local IMAP server."""

import datetime
import ipaddress
from email.message import EmailMessage

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core import mail
from django.core.management import call_command

from incasso.integrations.resilience import ServiceUnavailable
from incasso.parties.factories import ClientFactory, DebtorFactory
from incasso.rights.imap_double import ImapDouble, Mailbox
from incasso.rights.mailbox import MailboxConfig, mailbox_intake, request_kind_guess
from incasso.rights.models import RequestKind, RightsRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "imap.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(cert_file), str(key_file)


def _message(sender, subject, body, message_id):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"], message["Message-ID"] = (
        sender,
        "privacy@agency",
        subject,
        message_id,
    )
    message.set_content(body)
    return message.as_bytes()


@pytest.mark.parametrize("implicit_tls", [True, False], ids=["imaps", "starttls"])
def test_each_new_message_becomes_a_received_request_once(certificate, implicit_tls):
    DebtorFactory(client=ClientFactory(), email="jan@example.nl")
    box = Mailbox(user="privacy", password="s3cret")
    box.deliver(_message("Jan <jan@example.nl>", "Inzageverzoek", "Ik wil mijn gegevens zien.", "<a1@example.nl>"))
    box.deliver(_message("Piet <piet@example.nl>", "Please erase my data", "Forget me.", "<b2@example.nl>"))
    with ImapDouble(box, *certificate, implicit_tls=implicit_tls) as server:
        config = MailboxConfig(
            host="127.0.0.1",
            port=server.port,
            user="privacy",
            password="s3cret",
            use_ssl=implicit_tls,
            ca_file=certificate[0],
        )
        created = mailbox_intake(config=config)
        assert mailbox_intake(config=config) == []  # marked seen: not read twice
    assert {(r.requester_email, r.kind, r.channel) for r in created} == {
        ("jan@example.nl", "access", "email"),
        ("piet@example.nl", "erasure", "email"),
    }
    assert all("\\Seen" in m.flags for m in box.messages)
    (known,) = [r for r in RightsRequest.objects.all() if r.requester_email == "jan@example.nl"]  # sealed: no filter
    assert known.debtors.count() == 1 and known.source_message_id == "<a1@example.nl>"
    # A code only to the address on file; the unknown sender gets nothing.
    assert [m.to for m in mail.outbox] == [["jan@example.nl"]]


def test_an_untrusted_certificate_or_wrong_password_reads_nothing(certificate):
    box = Mailbox(user="privacy", password="s3cret")
    box.deliver(_message("jan@example.nl", "Inzage", "...", "<c3@example.nl>"))
    with ImapDouble(box, *certificate) as server:
        untrusted = MailboxConfig(host="127.0.0.1", port=server.port, user="privacy", password="s3cret")
        with pytest.raises(ServiceUnavailable, match="CERTIFICATE_VERIFY_FAILED"):
            mailbox_intake(config=untrusted)
        wrong = MailboxConfig(
            host="127.0.0.1", port=server.port, user="privacy", password="nope", ca_file=certificate[0]
        )
        with pytest.raises(Exception, match="LOGIN"):
            mailbox_intake(config=wrong)
    assert not RightsRequest.objects.exists()
    assert box.messages[0].flags == set()


def test_the_kind_is_guessed_from_the_subject_then_the_body():
    assert request_kind_guess("Bezwaar tegen marketing", "") == RequestKind.OBJECTION_MARKETING
    assert request_kind_guess("Vraag", "Wilt u mijn adres corrigeren? correctie") == RequestKind.RECTIFICATION
    assert request_kind_guess("Hallo", "...") == RequestKind.ACCESS


def test_the_command_reads_the_configured_mailbox(certificate, settings, capsys):
    box = Mailbox(user="privacy", password="s3cret")
    box.deliver(_message("anna@example.nl", "Beperking verwerking", "Stop alstublieft.", "<d4@example.nl>"))
    with ImapDouble(box, *certificate) as server:
        settings.INCASSO_RIGHTS_IMAP_HOST = "127.0.0.1"
        settings.INCASSO_RIGHTS_IMAP_PORT = server.port
        settings.INCASSO_RIGHTS_IMAP_USER = "privacy"
        settings.INCASSO_RIGHTS_IMAP_PASSWORD = "s3cret"
        settings.INCASSO_RIGHTS_IMAP_CA_FILE = certificate[0]
        call_command("rights", "fetch-mail")
    assert '"received": 1' in capsys.readouterr().out
    assert RightsRequest.objects.get().kind == "restriction"
