import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """These tests read the stored reasons and task titles in English; the site's default language is Dutch."""
    with translation.override("en"):
        yield
