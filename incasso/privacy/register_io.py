"""The register of processing activities as JSON and CSV (``incasso register``), from ``selectors``."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from typing import Any

from incasso.privacy.selectors import ProcessingActivity, ProcessingRegister, Retention

FORMATS = ("json", "csv")
CSV_COLUMNS = (
    "record",
    "controller",
    "purpose",
    "role",
    "legal_bases",
    "data_subjects",
    "data_categories",
    "special_categories",
    "recipients",
    "transfers_outside_eea",
    "retention",
    "security_measures",
)


def retention_text(retention: Retention) -> str:
    """The retention rule in one English sentence (the page says it in the reader's language)."""
    if retention.months is None:
        return retention.note
    if retention.months == 0:
        return f"deleted at once when {retention.trigger}"
    whole_years = retention.months % 12 == 0 and retention.months >= 60  # "36 months", as the statements say
    span = f"{retention.months // 12} years" if whole_years else f"{retention.months} months"
    if retention.end_of_calendar_year:
        return f"{span} after the end of the calendar year in which the financial year ended"
    return f"{span} after {retention.trigger}"


def register_as_dict(register: ProcessingRegister) -> dict[str, Any]:
    activities = []
    for activity in register.activities:
        row = asdict(activity)
        row["retention"]["text"] = retention_text(activity.retention)
        activities.append(row)
    return {
        "controller": register.agency,
        "activities": activities,
        "processor": {
            "controllers": [asdict(c) for c in register.controllers],
            "purposes": [a.purpose.value for a in register.as_processor()],
        },
        "recipients": [asdict(r) for r in register.recipients],
        "security_measures": [asdict(m) for m in register.security_measures],
    }


def register_json(register: ProcessingRegister) -> str:
    return json.dumps(register_as_dict(register), indent=2, ensure_ascii=False) + "\n"


def register_csv(register: ProcessingRegister) -> str:
    """One row per activity as controller (art. 30(1)) and per client and activity as processor (art. 30(2))."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    measures = "; ".join(m.description for m in register.security_measures)
    for activity in register.as_controller():
        writer.writerow(_row("30(1)", register.agency["name"], "controller", activity, measures))
    for controller in register.controllers:
        for activity in register.as_processor():
            writer.writerow(_row("30(2)", controller.name, "processor", activity, measures))
    return out.getvalue()


def _row(record: str, controller: str, role: str, activity: ProcessingActivity, measures: str) -> list[str]:
    return [
        record,
        controller,
        activity.purpose.value,
        role,
        "; ".join(activity.legal_bases),
        "; ".join(activity.subjects),
        "; ".join(activity.data_categories),
        "; ".join(activity.special_categories),
        "; ".join(activity.recipients),
        "; ".join(activity.transfers),
        retention_text(activity.retention),
        measures,
    ]
