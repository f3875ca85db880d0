"""One Dutch term for logging in across the portals: "Inloggen" / "Uitloggen", never "Aanmelden" / "Afmelden"
(which the newsletter uses for subscribing)."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

APPS = Path(__file__).resolve().parents[2]
CATALOGS = ["web", "accounts", "backoffice", "client_portal", "debtor_portal", "audit"]


def _log_in_messages(app: str) -> list[tuple[str, str]]:
    with (APPS / app / "locale" / "nl" / "LC_MESSAGES" / "django.po").open("rb") as po:
        catalog = read_po(po)
    found = []
    for message in catalog:
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        msgstr = message.string if isinstance(message.string, str) else message.string[0]
        if msgid and any(term in msgid.lower() for term in ("log in", "log-in", "log out", "logged in")):
            found.append((msgid, msgstr))
    return found


@pytest.mark.parametrize("app", CATALOGS)
def test_logging_in_is_inloggen_in_every_portal(app):
    messages = _log_in_messages(app)
    wrong = [(msgid, msgstr) for msgid, msgstr in messages if "aanmeld" in msgstr.lower() or "afmeld" in msgstr.lower()]
    assert wrong == []


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/login/", "/debtor/", "/admin/login/"])
def test_the_log_in_pages_say_inloggen(client, path):
    """Django's own Dutch catalog says "Aanmelden" for "Log in"; config/locale overrides it for every page."""
    html = client.get(path, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Inloggen" in html
    assert "Aanmelden" not in html
