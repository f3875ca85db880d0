"""``incasso check --deploy`` warns when the agency's e-mail address or phone number is empty: the privacy statement
page promises both."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from incasso.communications.checks import agency_contact_check


@pytest.mark.parametrize(
    ("email", "phone", "warned"),
    [
        ("", "", {"INCASSO_AGENCY_EMAIL", "INCASSO_AGENCY_PHONE"}),
        ("privacy@noord.example", " ", {"INCASSO_AGENCY_PHONE"}),
        ("", "020 123 45 67", {"INCASSO_AGENCY_EMAIL"}),
        ("privacy@noord.example", "020 123 45 67", set()),
    ],
)
def test_an_empty_contact_setting_is_a_warning(settings, email, phone, warned):
    settings.INCASSO_AGENCY_EMAIL, settings.INCASSO_AGENCY_PHONE = email, phone

    messages = agency_contact_check()

    assert {message.msg.split()[0] for message in messages} == warned
    assert {(message.id, message.is_serious()) for message in messages} <= {("incasso.W104", False)}


def test_the_deploy_check_reports_it(settings):
    settings.INCASSO_AGENCY_EMAIL, settings.INCASSO_AGENCY_PHONE = "privacy@noord.example", ""
    out = io.StringIO()
    # The demo identity is still set (errors of its own): only this check's warning is looked at here.
    call_command("check", "--deploy", "--fail-level", "CRITICAL", stdout=out, stderr=out)
    assert "incasso.W104" in out.getvalue() and "INCASSO_AGENCY_PHONE is empty" in out.getvalue()
