"""Fixtures: the print house's SFTP double on 127.0.0.1 with the settings pointing at it, and a rendered batch."""

from __future__ import annotations

import datetime

import paramiko
import pytest
from django.utils import translation

from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.communications.services import LetterRequest, letters_queue_bulk, print_batch_render
from incasso.parties.factories import ClientFactory, DebtorFactory
from incasso.print_house.sftp_double import SftpDouble

POSTED = datetime.date(2024, 8, 29)


@pytest.fixture(scope="session")
def client_key():
    return paramiko.RSAKey.generate(2048)


@pytest.fixture(scope="session")
def server_host_key():
    return paramiko.RSAKey.generate(2048)


@pytest.fixture(autouse=True)
def _media_dir(settings, tmp_path):
    settings.INCASSO_MEDIA_DIR = tmp_path / "media"


@pytest.fixture
def sftp_root(tmp_path):
    root = tmp_path / "print-house"
    root.mkdir()
    return root


@pytest.fixture
def print_house(settings, tmp_path, sftp_root, client_key, server_host_key):
    """The double, running; the settings point at it with its host key and the client's private key file."""
    key_file = tmp_path / "id_rsa"
    client_key.write_private_key_file(str(key_file))
    with SftpDouble(sftp_root, client_key=client_key, host_key=server_host_key) as double:
        settings.INCASSO_PRINT_HOUSE_HOST = "127.0.0.1"
        settings.INCASSO_PRINT_HOUSE_PORT = double.port
        settings.INCASSO_PRINT_HOUSE_USERNAME = double.username
        settings.INCASSO_PRINT_HOUSE_HOST_KEY = double.host_key_line
        settings.INCASSO_PRINT_HOUSE_KEY_FILE = str(key_file)
        settings.INCASSO_PRINT_HOUSE_TIMEOUT = 3
        settings.INCASSO_PRINT_HOUSE_RETRIES = 0
        settings.INCASSO_PRINT_HOUSE_BACKOFF = 0
        yield double


def _case(number: str, surname: str):
    client = ClientFactory(vat_deductible=False)
    debtor = DebtorFactory(client=client, given_names="Jan", surname=surname, postcode="1012 AB", city="Amsterdam")
    case = CaseFactory(debtor=debtor, number=number, opened_on=datetime.date(2024, 8, 1))
    ClaimFactory(
        case=case,
        invoice_date=datetime.date(2024, 6, 1),
        due_date=datetime.date(2024, 7, 1),
        principal_cents=80_000,
    )
    return case


@pytest.fixture
def rendered_batch(db):
    """A print batch of two reminder letters, rendered as the night's batch would be."""
    cases = [_case("2024-000123", "de Vries"), _case("2024-000124", "Jansen")]
    letters_queue_bulk(requests=[LetterRequest(case_id=c.pk, kind="reminder_letter") for c in cases], on=POSTED)
    batch = print_batch_render(on=POSTED)
    assert batch is not None
    return batch


@pytest.fixture(autouse=True)
def _english():
    """These tests read the recorded texts in English; the site's default language is Dutch."""
    with translation.override("en"):
        yield
