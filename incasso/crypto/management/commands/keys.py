"""``incasso keys status|rotate|retire VERSION``: the master keys behind field encryption (P-3), JSON on stdout."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from incasso.crypto.selectors import keys_status
from incasso.crypto.services import ROTATE_BATCH, KeyOperationRefused, data_keys_rotate, master_key_retire


class Command(BaseCommand):
    help = (
        "Master keys of field encryption. `status`: keys per master version. `rotate`: rewrap every data key under "
        "the current (first) master key, in batches, while the system runs. `retire VERSION`: record that no key "
        "is wrapped under VERSION any more, so it can be removed from the environment and destroyed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("status", help="data keys per master-key version, destroyed keys, retired versions")
        rotate = actions.add_parser("rotate", help="rewrap every data key under the current master key")
        rotate.add_argument("--batch-size", type=int, default=ROTATE_BATCH, help="keys per transaction")
        retire = actions.add_parser("retire", help="retire a master-key version no key is wrapped under")
        retire.add_argument("version")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "status":
            result: dict[str, object] = keys_status().as_dict()
        elif action == "rotate":
            if options["batch_size"] < 1:
                raise CommandError("--batch-size must be at least 1")
            result = dataclasses.asdict(data_keys_rotate(batch_size=options["batch_size"]))
        else:
            try:
                retired = master_key_retire(version=options["version"])
            except KeyOperationRefused as exc:
                raise CommandError(str(exc)) from None
            result = {
                "retired": retired.version,
                "next": "remove this version from INCASSO_MASTER_KEYS and destroy it wherever it is kept",
            }
        self.stdout.write(json.dumps(result, sort_keys=True))
