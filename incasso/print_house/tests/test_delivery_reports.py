"""Delivery reports from the print house: read over SFTP, recorded per letter, moved aside, idempotent."""

from __future__ import annotations

from incasso.communications.models import Communication, Direction
from incasso.print_house.models import DeliveryLine, DeliveryStatus, Shipment, ShipmentStatus
from incasso.print_house.services import delivery_report_record, delivery_reports_fetch, shipments_send
from incasso.print_house.tests.conftest import POSTED


def _report(letters, statuses) -> bytes:
    lines = ["letter_id,case_number,status,reason"]
    for letter, (status, reason) in zip(letters, statuses, strict=True):
        lines.append(f"{letter.pk},{letter.case.number},{status},{reason}")
    return ("\n".join(lines) + "\n").encode()


def _letters(batch):
    return list(batch.letters.select_related("case").order_by("pk"))


def test_a_delivery_report_marks_the_right_letters(print_house, sftp_root, rendered_batch):
    shipments_send(on=POSTED)
    delivered, returned = _letters(rendered_batch)
    reports = sftp_root / "reports"
    reports.mkdir()
    (reports / "report-20240903.csv").write_bytes(
        _report([delivered, returned], [("delivered", ""), ("returned", "verhuisd / moved")])
    )

    outcome = delivery_reports_fetch()

    assert (outcome.reports, outcome.recorded, outcome.rejected) == (["report-20240903.csv"], 2, [])
    assert dict(DeliveryLine.objects.values_list("letter_id", "status")) == {
        delivered.pk: DeliveryStatus.DELIVERED,
        returned.pk: DeliveryStatus.RETURNED,
    }
    line = DeliveryLine.objects.get(letter=returned)
    assert line.reason == "verhuisd / moved"
    assert line.report_name == "report-20240903.csv"
    logged = Communication.objects.get(letter=returned, direction=Direction.IN)
    assert logged.case_id == returned.case_id
    assert logged.subject.startswith("Returned by post")
    assert not Communication.objects.filter(letter=delivered, direction=Direction.IN).exists()
    shipment = Shipment.objects.get()
    assert shipment.status == ShipmentStatus.ACKNOWLEDGED
    assert shipment.report_received_at is not None
    # Moved aside on the server.
    assert not (reports / "report-20240903.csv").exists()
    assert (reports / "processed" / "report-20240903.csv").exists()


def test_processing_the_same_report_twice_changes_nothing(print_house, sftp_root, rendered_batch):
    shipments_send(on=POSTED)
    letters = _letters(rendered_batch)
    data = _report(letters, [("undeliverable", "adres onbekend"), ("delivered", "")])
    reports = sftp_root / "reports"
    reports.mkdir()
    (reports / "a.csv").write_bytes(data)
    delivery_reports_fetch()
    before = (
        list(DeliveryLine.objects.values_list("pk", "letter_id", "status", "reported_at")),
        Communication.objects.count(),
        Shipment.objects.values_list("report_received_at", flat=True).get(),
    )

    # The same report again: once more under the same name (the move had failed), once under another name.
    (reports / "a.csv").write_bytes(data)
    (reports / "b.csv").write_bytes(data)
    outcome = delivery_reports_fetch()

    assert (outcome.recorded, outcome.already_known) == (0, 4)
    after = (
        list(DeliveryLine.objects.values_list("pk", "letter_id", "status", "reported_at")),
        Communication.objects.count(),
        Shipment.objects.values_list("report_received_at", flat=True).get(),
    )
    assert after == before
    assert delivery_reports_fetch().reports == []  # nothing new on the server


def test_lines_for_letters_not_shipped_or_of_another_case_are_rejected(print_house, rendered_batch):
    shipments_send(on=POSTED)
    first, second = _letters(rendered_batch)
    data = (
        "letter_id,case_number,status,reason\n"
        f"{first.pk},1999-000001,returned,\n"
        "987654,2024-000123,delivered,\n"
        f"{second.pk},{second.case.number},lost,\n"
    ).encode()
    outcome = delivery_report_record(name="r.csv", data=data)
    assert outcome.recorded == 0
    assert sorted(r.split(":")[1] for r in outcome.rejected) == ["2", "3", "4"]
    assert not DeliveryLine.objects.exists()


def test_a_report_of_an_unshipped_batch_records_nothing(rendered_batch):
    letter = _letters(rendered_batch)[0]
    outcome = delivery_report_record(name="r.csv", data=_report([letter], [("delivered", "")]))
    assert outcome.recorded == 0
    assert "was not shipped" in outcome.rejected[0]
