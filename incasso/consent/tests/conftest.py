from __future__ import annotations

import pytest

from incasso.communications.tests.test_email import smtp_server  # noqa: F401  (the STARTTLS SMTP double)
from incasso.consent.models import DocumentKind, DocumentVersion


@pytest.fixture
def statement_v1() -> DocumentVersion:
    """The privacy statement the data migration published."""
    return DocumentVersion.objects.get(kind=DocumentKind.PRIVACY_STATEMENT, number=1)
