"""Fixtures of the intake tests: files in ``fixtures/`` (written for these tests), an API key per client."""

from __future__ import annotations

from pathlib import Path

import pytest

from incasso.intake.models import ImportSource
from incasso.intake.services import claims_import_file

FIXTURES = Path(__file__).parent / "fixtures"
# The shared e-invoice samples of the project (copied from OpenPEPPOL), beside the repository; not in it.
SHARED_UBL = Path(__file__).resolve().parents[3].parent / "shared" / "samples" / "ubl"


@pytest.fixture
def import_file():
    """Import a file the way the CLI does; returns the summary as the CLI prints it."""

    def run(client, path, **options):
        with Path(path).open("rb") as stream:
            summary = claims_import_file(
                client=client, stream=stream, filename=Path(path).name, source=ImportSource.CLI, **options
            )
        return summary.as_dict()

    return run
