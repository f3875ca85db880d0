"""The console script: ``incasso print-house send`` and ``fetch-reports`` print JSON summaries."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from incasso.print_house.models import Shipment, ShipmentStatus


def _run(*args: str) -> dict:
    out = io.StringIO()
    call_command("print-house", *args, stdout=out)
    return json.loads(out.getvalue())


def test_send_then_fetch_reports(print_house, sftp_root, rendered_batch):
    summary = _run("send", "--date", "2024-08-29")
    assert summary["sent"] == [Shipment.objects.get().pk]
    assert Shipment.objects.get().status == ShipmentStatus.SENT
    assert _run("fetch-reports") == {"reports": [], "recorded": 0, "already_known": 0, "rejected": []}


def test_send_with_a_bad_date_exits_2(db):
    with pytest.raises(SystemExit) as exit_info:
        _run("send", "--date", "29-08-2024")
    assert exit_info.value.code == 2


def test_send_while_the_server_is_down_exits_1_and_keeps_the_batch(print_house, rendered_batch):
    print_house.stop()
    with pytest.raises(SystemExit) as exit_info:
        _run("send", "--date", "2024-08-29")
    assert exit_info.value.code == 1
    assert Shipment.objects.get().status == ShipmentStatus.QUEUED
