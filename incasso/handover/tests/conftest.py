"""Fixtures: a partner agency's SFTP server (the print house's double) on 127.0.0.1 and its keys."""

from __future__ import annotations

import datetime

import paramiko
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.disclosures.models import Agreement, AgreementKind, Recipient
from incasso.handover.models import HandoverRecipient, HandoverRole
from incasso.parties.factories import DebtorFactory
from incasso.print_house.sftp_double import SftpDouble


@pytest.fixture(scope="session")
def ssh_client_key():
    return paramiko.RSAKey.generate(2048)


@pytest.fixture(scope="session")
def partner_private_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=3072)


@pytest.fixture
def partner_server(tmp_path, ssh_client_key, settings):
    key_file = tmp_path / "id_rsa"
    ssh_client_key.write_private_key_file(str(key_file))
    settings.INCASSO_HANDOVER_SSH_KEY_FILE = str(key_file)
    root = tmp_path / "partner"
    root.mkdir()
    with SftpDouble(root, client_key=ssh_client_key, username="incasso") as double:
        yield double


def _pem(private_key: rsa.RSAPrivateKey) -> str:
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.fixture
def make_partner(db, partner_server, partner_private_key):
    def make(*, code: str, country: str, role: str = HandoverRole.PARTNER_ABROAD, scc: bool = False, port=None):
        category = "partner_agencies_abroad" if role == HandoverRole.PARTNER_ABROAD else f"{role}s"
        recipient = Recipient.objects.create(name=f"Agency {code}", category=category, country=country)
        if scc:
            Agreement.objects.create(recipient=recipient, kind=AgreementKind.SCC, signed_on=datetime.date(2024, 1, 1))
        return HandoverRecipient.objects.create(
            code=code,
            recipient=recipient,
            role=role,
            host="127.0.0.1",
            port=port or partner_server.port,
            username="incasso",
            host_key=partner_server.host_key_line,
            public_key_pem=_pem(partner_private_key),
        )

    return make


@pytest.fixture
def demo_case(db):
    debtor = DebtorFactory(given_names="Jan", surname="Jansen", street="Main Street", city="Antwerpen", country="BE")
    case = CaseFactory(debtor=debtor, opened_on=datetime.date(2026, 9, 1))
    ClaimFactory(case=case, invoice_number="INV-77", principal_cents=45_000)
    return case
