"""The newsletter form after a mistake (found by using it in a browser: the address typed was gone)."""

from __future__ import annotations

import pytest

from incasso.consent.models import Subscriber

pytestmark = pytest.mark.django_db


def test_a_refused_subscription_keeps_the_address_but_never_the_tick(client):
    response = client.post("/newsletter/", {"email": "ann@example.nl", "version": "1"})  # the box left unticked
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="ann@example.nl"' in page
    assert 'aria-describedby="newsletter-error"' in page and 'id="newsletter-error"' in page
    assert 'name="consent" required>' in page  # consent is asked again, never carried over
    assert not Subscriber.objects.exists()


def test_the_address_echoed_back_is_escaped(client):
    page = client.post("/newsletter/", {"email": '"><script>x</script>', "version": "1"}).content.decode()
    assert "<script>x</script>" not in page
