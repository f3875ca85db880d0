"""`incasso demo-logins` prints a debtor-portal log-in that works, shows a sensible amount and allows a plan."""

from __future__ import annotations

import datetime
import re
from io import StringIO

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from incasso.arrangements.models import Arrangement, ArrangementStatus
from incasso.demo.services import demo_create

LINE = re.compile(r"case number (\S+), code (\S+), postcode (\d{4} [A-Z]{2})")


def test_the_printed_debtor_log_in_works_and_allows_a_plan(client, db):
    demo_create(seed=7, debtors=100)
    out = StringIO()
    call_command("demo-logins", stdout=out)
    match = LINE.search(out.getvalue())
    assert match, out.getvalue()
    number, code, postcode = match.groups()
    again = StringIO()
    call_command("demo-logins", stdout=again)
    assert f"code {code}," in again.getvalue()  # the same log-in every time

    response = client.post(
        reverse("debtor_portal:login"), {"case_number": number, "code": code, "second_factor": postcode}
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    total = page.context["view"].breakdown.total
    assert 10_000 <= total.cents <= 300_000
    first = timezone.localdate() + datetime.timedelta(days=7)
    client.post(reverse("debtor_portal:plan", args=[page.context["case"].pk]), {"months": 3, "first_due": first})
    assert Arrangement.objects.get(case=page.context["case"]).status == ArrangementStatus.ACTIVE
