"""Every page carries the Content-Security-Policy and the other security headers; no template needs inline code."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from incasso.web.security import content_security_policy

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR) / "incasso"
INLINE = re.compile(r"""\sstyle=|<style|\son[a-z]+=|<script(?![^>]*\ssrc=)|javascript:""", re.IGNORECASE)


def test_pages_send_the_security_headers(client):
    response = client.get(reverse("login"))
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_the_policy_comes_from_settings(settings):
    settings.INCASSO_CSP = {"default-src": "'self'", "report-uri": "/csp-report/"}
    assert content_security_policy() == "default-src 'self'; report-uri /csp-report/"


def test_hsts_is_ready_to_switch_on():
    assert isinstance(settings.SECURE_HSTS_SECONDS, int)
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"


@pytest.mark.parametrize("template", sorted(ROOT.glob("*/templates/**/*.html")), ids=lambda path: path.name)
def test_no_template_uses_inline_script_or_style(template):
    """The policy forbids inline code, so a template that had some would break in the browser."""
    text = template.read_text(encoding="utf-8")
    assert not INLINE.search(text), f"{template}: inline script/style"


def test_forms_are_csrf_protected(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
