"""Shipping batches over real SFTP to the local double: files, ready file, host key, outages."""

from __future__ import annotations

import hashlib
import json
import socket

import paramiko
import pytest

from incasso.audit.models import AuditEvent
from incasso.print_house.config import print_house_settings
from incasso.print_house.models import Shipment, ShipmentStatus
from incasso.print_house.services import shipments_send
from incasso.print_house.sftp import HostKeyRefused, PrintHouseError, print_house_connect
from incasso.print_house.tests.conftest import POSTED


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_batch_is_uploaded_with_its_manifest_and_a_ready_file(print_house, sftp_root, rendered_batch, settings):
    outcome = shipments_send(on=POSTED)

    shipment = Shipment.objects.get(batch=rendered_batch)
    assert outcome.sent == [shipment.pk]
    assert shipment.status == ShipmentStatus.SENT
    assert shipment.attempts == 1
    assert shipment.sent_at is not None
    stem = f"batch-{rendered_batch.pk:06d}"
    upload = sftp_root / "upload"
    assert sorted(p.name for p in upload.iterdir()) == [f"{stem}.csv", f"{stem}.pdf", f"{stem}.ready.json"]
    pdf, manifest = (upload / f"{stem}.pdf").read_bytes(), (upload / f"{stem}.csv").read_bytes()
    media = settings.INCASSO_MEDIA_DIR
    assert pdf == (media / rendered_batch.pdf_path).read_bytes()
    assert manifest == (media / rendered_batch.manifest_path).read_bytes()
    assert _sha(pdf) == rendered_batch.pdf_sha256
    assert _sha(manifest) == rendered_batch.manifest_sha256
    ready = json.loads((upload / f"{stem}.ready.json").read_text())
    assert ready["batch"] == rendered_batch.pk
    assert ready["letters"] == 2
    assert ready["posting_date"] == POSTED.isoformat()
    assert {f["name"]: f["sha256"] for f in ready["files"]} == {f"{stem}.pdf": _sha(pdf), f"{stem}.csv": _sha(manifest)}
    assert shipment.remote_ready_path == f"upload/{stem}.ready.json"
    # Each letter is a disclosure to the print house about its debtor, on the audit log.
    debtors = sorted(str(letter.case.debtor_id) for letter in rendered_batch.letters.select_related("case"))
    events = AuditEvent.objects.filter(action="disclose")
    assert sorted(events.values_list("subject_id", flat=True)) == debtors
    assert set(events.values_list("subject_type", flat=True)) == {"parties.Debtor"}

    # A second run sends nothing again.
    assert shipments_send(on=POSTED).sent == []
    assert Shipment.objects.get(pk=shipment.pk).attempts == 1


def test_the_ready_file_is_written_last(print_house, sftp_root, rendered_batch, monkeypatch):
    from incasso.print_house import sftp as sftp_module

    order: list[str] = []
    original = sftp_module.PrintHouseSftp.upload_atomic

    def recording(self, path, data):
        original(self, path, data)
        order.append(path.rsplit(".", 1)[-1])

    monkeypatch.setattr(sftp_module.PrintHouseSftp, "upload_atomic", recording)
    shipments_send(on=POSTED)
    assert order == ["pdf", "csv", "json"]
    assert not [p for p in (sftp_root / "upload").iterdir() if p.name.endswith(".part")]


def test_a_wrong_host_key_is_refused(print_house, sftp_root, rendered_batch, settings):
    impostor = paramiko.RSAKey.generate(1024)
    settings.INCASSO_PRINT_HOUSE_HOST_KEY = f"{impostor.get_name()} {impostor.get_base64()}"

    with pytest.raises(HostKeyRefused), print_house_connect(print_house_settings()):
        pass
    outcome = shipments_send(on=POSTED)

    shipment = Shipment.objects.get(batch=rendered_batch)
    assert outcome.queued == [shipment.pk]
    assert shipment.status == ShipmentStatus.QUEUED
    assert "host key" in shipment.last_error
    assert not (sftp_root / "upload").exists()


def test_an_unknown_client_key_is_refused(print_house, settings, tmp_path):
    stranger = tmp_path / "stranger"
    paramiko.RSAKey.generate(1024).write_private_key_file(str(stranger))
    settings.INCASSO_PRINT_HOUSE_KEY_FILE = str(stranger)
    with pytest.raises(PrintHouseError, match="refused our key"), print_house_connect(print_house_settings()):
        pass


def test_server_down_keeps_the_shipment_queued_and_a_later_run_sends_it_once(
    print_house, sftp_root, rendered_batch, settings
):
    print_house.stop()
    settings.INCASSO_PRINT_HOUSE_RETRIES = 1
    slept: list[float] = []

    outcome = shipments_send(on=POSTED)

    shipment = Shipment.objects.get(batch=rendered_batch)
    assert outcome.queued == [shipment.pk]
    assert (shipment.status, shipment.attempts) == (ShipmentStatus.QUEUED, 1)
    assert "cannot reach" in shipment.last_error
    assert slept == []  # backoff 0 in the tests; the retry happened (see attempts in the log) without waiting

    print_house.start(port=settings.INCASSO_PRINT_HOUSE_PORT)
    assert shipments_send(on=POSTED).sent == [shipment.pk]
    assert shipments_send(on=POSTED).sent == []
    shipment.refresh_from_db()
    assert (shipment.status, shipment.attempts, shipment.last_error) == (ShipmentStatus.SENT, 2, "")
    assert len(list((sftp_root / "upload").glob("*.ready.json"))) == 1


def test_a_server_that_never_answers_times_out(rendered_batch, print_house, settings):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts the TCP connection, never says a word of SSH
    try:
        settings.INCASSO_PRINT_HOUSE_PORT = silent.getsockname()[1]
        settings.INCASSO_PRINT_HOUSE_TIMEOUT = 0.5
        outcome = shipments_send(on=POSTED)
    finally:
        silent.close()
    assert len(outcome.queued) == 1
    assert Shipment.objects.get().status == ShipmentStatus.QUEUED


def test_a_batch_whose_file_changed_is_failed_not_sent(print_house, sftp_root, rendered_batch, settings):
    (settings.INCASSO_MEDIA_DIR / rendered_batch.pdf_path).write_bytes(b"%PDF-tampered")
    outcome = shipments_send(on=POSTED)
    shipment = Shipment.objects.get()
    assert outcome.failed == [shipment.pk]
    assert shipment.status == ShipmentStatus.FAILED
    assert "SHA-256" in shipment.last_error
    assert not list((sftp_root / "upload").glob("*.ready.json"))
