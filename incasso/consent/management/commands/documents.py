"""``incasso documents draft|publish|resend``: versioned privacy statements and consent texts (SPEC P-5, P-11).

    incasso documents draft --kind privacy_statement --title-nl T --title-en T --body-nl-file F --body-en-file F
    incasso documents draft --kind consent_text --purpose newsletter ...
    incasso documents publish --id N     # immutable from now on; a privacy statement is e-mailed to client contacts
    incasso documents resend --id N      # send the announcement batches that failed

Prints JSON. Exit 2 on a usage error or refused input; nothing is changed then.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from incasso.consent.models import DocumentVersion
from incasso.consent.services import (
    document_version_create,
    document_version_publish,
    statement_mailings_send,
)


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read {path}: {exc}", returncode=2) from None


class Command(BaseCommand):
    help = "Versioned documents: `draft` a new version, `publish` it, `resend` a statement's failed e-mail batches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["draft", "publish", "resend"])
        parser.add_argument("--kind", default="privacy_statement")
        parser.add_argument("--purpose", default="")
        parser.add_argument("--title-nl", default="Privacyverklaring")
        parser.add_argument("--title-en", default="Privacy statement")
        parser.add_argument("--body-nl-file")
        parser.add_argument("--body-en-file")
        parser.add_argument("--id", type=int, help="the version's id (publish, resend)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = getattr(self, f"_{options['action']}")(options)
        except (ValueError, DocumentVersion.DoesNotExist) as exc:
            raise CommandError(str(exc), returncode=2) from None
        self.stdout.write(json.dumps(result, sort_keys=True))

    def _draft(self, options: dict[str, Any]) -> dict[str, Any]:
        if not options["body_nl_file"] or not options["body_en_file"]:
            raise CommandError("draft needs --body-nl-file and --body-en-file", returncode=2)
        version = document_version_create(
            kind=options["kind"],
            purpose=options["purpose"],
            title_nl=options["title_nl"],
            title_en=options["title_en"],
            body_nl=_read(options["body_nl_file"]),
            body_en=_read(options["body_en_file"]),
        )
        return {"id": version.pk, "number": version.number, "published": False}

    def _version(self, options: dict[str, Any]) -> DocumentVersion:
        if options["id"] is None:
            raise CommandError(f"{options['action']} needs --id", returncode=2)
        return DocumentVersion.objects.get(pk=options["id"])

    def _publish(self, options: dict[str, Any]) -> dict[str, Any]:
        version = document_version_publish(version=self._version(options))
        return {"id": version.pk, "number": version.number, "published": True, "batches": version.mailings.count()}

    def _resend(self, options: dict[str, Any]) -> dict[str, Any]:
        return {"sent": statement_mailings_send(version=self._version(options))}
