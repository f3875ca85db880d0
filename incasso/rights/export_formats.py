"""The export in its three forms: JSON (portability), CSV (one line per datum) and a readable PDF."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from incasso.communications.rendering import letters_compile

TEMPLATE = Path(__file__).resolve().parent / "export.typ"
CSV_COLUMNS = ("model", "record", "field", "value", "categories", "purposes", "legal_bases", "source", "retention")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def export_json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def export_csv(document: dict[str, Any]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    fields = document["fields"]
    for record in document["records"]:
        for name, value in record["fields"].items():
            info = fields.get(f"{record['model']}.{name}", {})
            writer.writerow(
                [
                    record["model"],
                    record["pk"],
                    name,
                    _text(value),
                    " ".join(info.get("categories", [])),
                    " ".join(info.get("purposes", [])),
                    " ".join(info.get("legal_bases", [])),
                    info.get("source", ""),
                    " | ".join(info.get("retention", [])),
                ]
            )
    return out.getvalue().encode("utf-8")


def export_pdf(document: dict[str, Any], *, language: str = "nl") -> bytes:
    sections: dict[str, list[list[list[str]]]] = {}
    for record in document["records"]:
        rows = [[name, _text(value)] for name, value in record["fields"].items()]
        sections.setdefault(record["model"], []).append(rows)
    with translation.override(language):
        letter = {
            "template_id": 1,
            "letter_id": 1,
            "language": language,
            "title": _("Your personal data (request %(reference)s)") % {"reference": document["request"]},
            "intro": _("Controller: %(controller)s. Made on %(when)s. The JSON and CSV files hold the same data.")
            % {"controller": document["controller"], "when": document["generated_at"]},
            "sections": [{"title": model, "records": records} for model, records in sections.items()],
            "recipients_title": _("Recipients"),
            "recipients": [
                f"{r['occurred_at']}: {r['recipient']} ({r['country']}), {r['purpose']}" for r in document["recipients"]
            ],
            "logic_title": _("Automated decisions"),
            "logic": document["automated_decisions"]["logic"],
        }
    rendered = letters_compile(templates={1: TEMPLATE.read_text(encoding="utf-8")}, letters=[letter], tagged=True)
    return rendered.pdf
