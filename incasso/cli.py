"""The ``incasso`` console script: Django's management commands under the project's name."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv if argv is not None else [os.path.basename(sys.argv[0]), *sys.argv[1:]])
