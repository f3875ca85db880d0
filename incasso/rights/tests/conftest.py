import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """These tests read the services' messages in English; the site's default language is Dutch."""
    with translation.override("en"):
        yield
