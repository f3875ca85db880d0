"""S/MIME encryption of outgoing e-mail (SPEC C-8) for recipients whose certificate is on file.

``smime_protect`` takes the message the e-mail path built and, when every recipient has a valid certificate,
returns a message whose whole content (body and attachments) is an S/MIME enveloped-data entity (RFC 8551:
``application/pkcs7-mime; smime-type=enveloped-data``, AES-256-CBC, the key wrapped for each recipient's
certificate), built with ``cryptography``'s PKCS7 envelope builder. The headers (From, To, Subject, Date) stay
readable, as S/MIME requires. Without a certificate for every recipient the message goes as it is: TLS-only.
"""

from __future__ import annotations

import datetime
from email.mime.application import MIMEApplication
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.serialization import pkcs7
from django.core.mail import EmailMessage
from django.core.mail.message import MIMEMixin
from django.db import transaction
from django.utils import timezone

from incasso.integrations.models import SmimeCertificate

CONTENT_HEADERS = {"content-type", "content-transfer-encoding", "content-disposition", "mime-version"}


class SafeMIMEApplication(MIMEMixin, MIMEApplication):  # type: ignore[misc]  # as Django's SafeMIME* classes
    """An application/* part Django's SMTP backend can serialise (``as_bytes(linesep=...)``)."""


class SmimeCertificateError(ValueError):
    """The certificate cannot be read, has expired, or is not for the address."""


def _certificate(pem: str) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(pem.encode())
    except ValueError as exc:
        raise SmimeCertificateError(f"not a PEM certificate: {exc}") from None


def _addresses(certificate: x509.Certificate) -> set[str]:
    found = {a.value.lower() for a in certificate.subject.get_attributes_for_oid(x509.NameOID.EMAIL_ADDRESS)}
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        found |= {name.lower() for name in names.get_values_for_type(x509.RFC822Name)}
    except x509.ExtensionNotFound:
        pass
    return {str(a) for a in found}


@transaction.atomic
def smime_certificate_register(
    *, email: str, certificate_pem: str, now: datetime.datetime | None = None
) -> SmimeCertificate:
    """Keep a recipient's certificate (replacing an older one); it must name the address and still be valid."""
    now = now or timezone.now()
    certificate = _certificate(certificate_pem)
    if email.lower() not in _addresses(certificate):
        raise SmimeCertificateError(f"the certificate is not issued for {email}")
    if certificate.not_valid_after_utc <= now:
        raise SmimeCertificateError("the certificate has expired")
    row, _created = SmimeCertificate.objects.update_or_create(
        email=email.lower(),
        defaults={"certificate_pem": certificate_pem, "not_after": certificate.not_valid_after_utc},
    )
    return row


def _certificates_for(addresses: list[str], now: datetime.datetime) -> list[x509.Certificate] | None:
    wanted = {a.lower() for a in addresses}
    rows = SmimeCertificate.objects.filter(email__in=wanted, not_after__gt=now)
    found = {row.email: row.certificate_pem for row in rows}
    if not wanted or set(found) != wanted:
        return None
    return [_certificate(found[address]) for address in sorted(wanted)]


class SmimeEmailMessage(EmailMessage):
    """The original message's addressing with an enveloped-data body."""

    def __init__(self, original: EmailMessage, certificates: list[x509.Certificate]) -> None:
        super().__init__(
            subject=original.subject,
            from_email=original.from_email,
            to=original.to,
            cc=original.cc,
            bcc=original.bcc,
            reply_to=original.reply_to,
            headers=original.extra_headers,
            connection=original.connection,
        )
        self._original = original
        self._certificates = certificates

    def message(self) -> Any:
        inner: Any = self._original.message()  # Django's SafeMIME*: as_bytes takes a line separator
        addressing = [(name, value) for name, value in inner.items() if name.lower() not in CONTENT_HEADERS]
        for name, _value in addressing:  # the encrypted entity carries only its content headers
            del inner[name]
        builder = pkcs7.PKCS7EnvelopeBuilder().set_data(inner.as_bytes(linesep="\r\n"))
        builder = builder.set_content_encryption_algorithm(algorithms.AES256)
        for certificate in self._certificates:
            builder = builder.add_recipient(certificate)
        der = builder.encrypt(serialization.Encoding.DER, [])
        enveloped = SafeMIMEApplication(der, "pkcs7-mime", name="smime.p7m")
        enveloped.set_param("smime-type", "enveloped-data")
        enveloped.add_header("Content-Disposition", "attachment", filename="smime.p7m")
        for name, value in addressing:
            enveloped[name] = value
        return enveloped


def smime_protect(message: EmailMessage, *, now: datetime.datetime | None = None) -> EmailMessage:
    """The message encrypted for its recipients when all of them have a certificate on file; else unchanged."""
    certificates = _certificates_for(message.recipients(), now or timezone.now())
    return message if certificates is None else SmimeEmailMessage(message, certificates)
