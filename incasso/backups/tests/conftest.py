import pytest

from incasso.backups.services import backup_key_generate
from incasso.core.testing import sqlite_append_only_triggers


@pytest.fixture
def _backup_key(settings, transactional_db):
    settings.INCASSO_BACKUP_KEY = backup_key_generate()
    yield
    # A restored SQLite database brings its append-only triggers; the flush after the test must be able to empty it.
    sqlite_append_only_triggers(enabled=False)
