"""Fixtures shared by every app's tests. Factories live in ``incasso/<app>/factories.py``."""

from __future__ import annotations

import os

import pytest

from incasso.accounts.factories import UserFactory
from incasso.cases.factories import CaseFactory, ClaimFactory
from incasso.parties.factories import ClientFactory, DebtorFactory


@pytest.fixture
def creditor(db):
    """A client (creditor). Named so it never shadows pytest-django's ``client``, the test HTTP client."""
    return ClientFactory(code="acme", name="Acme B.V.")


@pytest.fixture
def debtor(creditor):
    return DebtorFactory(client=creditor)


@pytest.fixture
def case(debtor):
    return CaseFactory(debtor=debtor)


@pytest.fixture
def claim(case):
    return ClaimFactory(case=case)


@pytest.fixture
def staff_user(db):
    return UserFactory(username="staff@example.com", is_staff=True)


# Host names under .test (RFC 2606) never resolve in the real DNS; tests resolve them to this public address, so a
# webhook URL such as https://hooks.example.test passes the SSRF check (webhooks.targets) without a network.
TEST_HOST_ADDRESS = "93.184.215.14"


@pytest.fixture(autouse=True)
def _test_host_names(monkeypatch):
    import ipaddress

    from incasso.webhooks import targets

    real = targets.host_addresses

    def resolve(host, port):
        if host.endswith(".test"):
            return [ipaddress.ip_address(TEST_HOST_ADDRESS)]
        return real(host, port)

    monkeypatch.setattr(targets, "host_addresses", resolve)


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Give every database test the rows the data migrations seed, even after a transactional test flushed them."""
    marker = request.node.get_closest_marker("django_db")
    uses_db = marker is not None or {"db", "transactional_db"} & set(request.fixturenames)
    if not uses_db:
        return
    request.getfixturevalue("transactional_db" if marker and marker.kwargs.get("transaction") else "db")
    from django.contrib.auth.models import Group

    if not Group.objects.filter(name="collector").exists():  # a transactional test flushed the database
        from incasso.core.reference_data import reference_data_ensure
        from incasso.core.testing import sqlite_append_only_triggers

        reference_data_ensure()
        sqlite_append_only_triggers(enabled=True)


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's ``admin_client``, logged in as staff must be (P-7): second factor verified, statement read."""
    from incasso.accounts.testing import staff_login

    staff_login(client, admin_user)
    return client


# ---- Browser tests (Playwright driving Debian's Chromium; helpers in incasso/web/tests/browser.py) ----


@pytest.fixture(scope="session")
def chromium_browser():
    """One headless Chromium for the whole session: Debian's /usr/bin/chromium, never a downloaded browser."""
    from incasso.core.browser import chromium_launch

    # Playwright's sync API runs an event loop in this thread; the live server's data is set up from the same
    # thread, which Django would otherwise refuse as "async unsafe".
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with chromium_launch() as browser:
        yield browser


@pytest.fixture
def page(chromium_browser, live_server, transactional_db):
    """A fresh browser page (own cookies) against the live test server; fails the test on a CSP violation."""
    from incasso.core.browser import page_open
    from incasso.core.testing import sqlite_append_only_triggers

    with page_open(chromium_browser, base_url=live_server.url) as opened:
        yield opened
    sqlite_append_only_triggers(enabled=False)  # so that the flush after this test may empty the tables
