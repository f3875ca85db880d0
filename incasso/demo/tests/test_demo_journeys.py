"""The newcomer's journey after `make run`: every log-in that `incasso demo-logins` prints works and lands on a
page with something to do (issue 7 "Done when").

The log-ins are parsed from the command's output, never written down here: a log-in the command prints but that
does not work, or a main page that shows nothing, fails.
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client as HttpClient

from incasso.accounts.roles import Role
from incasso.cases.models import Case

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

PRINTED_ROW = re.compile(r"^(?P<username>\S+@\S+)\s+(?P<role>[a-z_]+)\s+(?P<client>\S+)\s+(?P<password>\S+)$")
PORTAL_LINE = re.compile(
    r"case number (?P<case>\S+), code (?P<code>[A-Z0-9-]+), postcode (?P<postcode>[0-9A-Z ]+?)"
    r"(?: or date of birth \S+)? \(owes (?P<total>\d+\.\d\d) today\)"
)


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def printed(settings):
    """The small demo loaded and the log-ins as `make run` prints them (second factor skipped, as it sets)."""
    settings.INCASSO_DEMO_SKIP_SECOND_FACTOR = True
    _run("demo", "--seed", "3", "--debtors", "100")
    return _run("demo-logins")


def _logins(output: str) -> list[dict[str, str]]:
    return [match.groupdict() for line in output.splitlines() if (match := PRINTED_ROW.match(line.strip()))]


def _log_in(http: HttpClient, username: str, password: str, next_url: str = "") -> tuple[str, HttpResponse]:
    """Log in through the form as a newcomer would, accepting the confidentiality statement when asked."""
    response = http.post(f"/login/?next={next_url}", {"username": username, "password": password})
    assert response.status_code == 302, f"log-in of {username} refused"
    target = response["Location"]
    for _ in range(6):
        page = http.get(target)
        if page.status_code == 200 and "/confidentiality/" in target:
            version = re.search(rb'name="accept" value="([^"]+)"', page.content)
            assert version is not None, page.content
            page = http.post(target, {"accept": version.group(1).decode()})
        if page.status_code != 302:
            return target, page
        target = page["Location"]
    raise AssertionError(f"{username}: too many redirects, last {target}")


def _queue_counts(html: str) -> dict[str, int]:
    return {key: int(count) for key, count in re.findall(r'data-queue="([a-z_-]+)">(\d+)<', html)}


def _menu_links(html: str) -> list[str]:
    nav = re.search(r'<nav class="main-nav".*?</nav>', html, re.S)
    return re.findall(r'href="(/[^"#?]+)"', nav.group(0)) if nav else []


# What each staff role's work is, and the queue or page that must show some of it in the demo.
STAFF_WORK = {
    Role.COLLECTOR: "due-today",
    Role.LEGAL_OFFICER: "approvals",
    Role.FINANCE: "unmatched",
    Role.ADMINISTRATOR: "tasks",
}
# Pages that must list at least one demo item for the roles that may open them (a row or an entry).
WORK_PAGES = {
    "/office/complaints/": "data-complaint=",
    "/rights/office/": "data-request=",
    "/office/privacy/breaches/": "<tbody>",
}


def _check_staff(http: HttpClient, role: str, html: str) -> None:
    counts = _queue_counts(html)
    assert counts and sum(counts.values()) > 0, (role, counts)
    if Role(role) in STAFF_WORK:
        assert counts[STAFF_WORK[Role(role)]] > 0, (role, counts)
    for link in _menu_links(html):
        page = http.get(link)
        assert page.status_code == 200, (role, link)
        marker = WORK_PAGES.get(link)
        if marker is not None:
            assert marker in page.content.decode(), (role, link)


def _check_client(http: HttpClient, client_code: str, dashboard: str) -> None:
    recovered = re.search(r'data-figure="recovered">([^<]+)<', dashboard)
    assert recovered is not None and re.search(r"[1-9]", recovered.group(1)), (client_code, recovered)
    page = http.get("/client/cases/")
    assert page.status_code == 200
    shown = set(re.findall(r"\b(\d{4}-\d{6})\b", page.content.decode()))
    own = set(Case.objects.filter(client__code=client_code).values_list("number", flat=True))
    assert shown and shown <= own, (client_code, shown - own)


def test_every_printed_log_in_reaches_a_main_page_with_work_on_it(printed):
    logins = _logins(printed)
    assert {login["role"] for login in logins} == set(Role.values), printed
    for login in logins:
        http = HttpClient()
        is_client = login["role"] == Role.CLIENT_USER
        landing, page = _log_in(http, login["username"], login["password"], "/client/" if is_client else "")
        assert page.status_code == 200, (login, landing)
        if is_client:
            assert landing.startswith("/client/"), landing
            _check_client(http, login["client"], page.content.decode())
        else:
            assert landing == "/office/", (login, landing)
            _check_staff(http, login["role"], page.content.decode())


def test_the_printed_debtor_portal_log_in_shows_what_is_owed(printed):
    found = PORTAL_LINE.search(printed)
    assert found is not None, printed
    http = HttpClient()
    response = http.post(
        "/debtor/",
        {"case_number": found["case"], "code": found["code"], "second_factor": found["postcode"]},
    )
    assert response.status_code == 302, response.content[:2000]
    page = http.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert found["case"] in html
    euros, cents = found["total"].split(".")
    # Shown in the visitor's locale (Dutch by default): 2.273,70 or 2273,70.
    amount = re.compile(rf"{int(euros):,}".replace(",", r"\.?") + rf",{cents}")
    assert amount.search(html), (found["total"], html[:3000])
