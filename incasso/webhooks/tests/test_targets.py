"""The SSRF check of webhook URLs: every address a host resolves to must be public, on saving and on delivery."""

import ipaddress

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from incasso.integrations.models import PendingCall
from incasso.integrations.services import integrations_retry
from incasso.webhooks import targets
from incasso.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEventType
from incasso.webhooks.services import webhook_endpoint_create, webhook_event_emit
from incasso.webhooks.targets import webhook_target_check

pytestmark = pytest.mark.django_db


@pytest.fixture
def dns(monkeypatch):
    """A DNS under the test's control: ``dns["host"] = ["10.0.0.1"]``."""
    records: dict[str, list[str]] = {}

    def resolve(host, port):
        if host.replace(".", "").isdigit() or ":" in host:  # an IP literal is its own address
            return [ipaddress.ip_address(host)]
        if host not in records:
            raise OSError("no such host")
        return [ipaddress.ip_address(address) for address in records[host]]

    monkeypatch.setattr(targets, "host_addresses", resolve)
    return records


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("10.1.2.3", "private"),
        ("172.16.0.9", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "private"),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("169.254.169.254", "link-local"),  # the cloud metadata service
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("0.0.0.0", "reserved"),  # noqa: S104 - an address refused, not bound
        ("100.64.0.1", "reserved"),  # carrier-grade NAT: not global
        ("::ffff:10.0.0.1", "private"),  # IPv4 mapped into IPv6 is checked as IPv4
    ],
)
def test_a_host_that_resolves_to_a_non_public_address_is_refused(dns, address, why):
    dns["hooks.example.com"] = ["93.184.215.14", address]  # one bad address among good ones is enough
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        webhook_target_check("https://hooks.example.com/x")
    assert f"resolves to {ipaddress.ip_address(address)}, and it is a {why} address" in refused.value.messages[0]


@pytest.mark.parametrize("url", ["https://10.1.2.3/x", "https://[::1]/x", "https://169.254.169.254/latest"])
def test_ip_literals_are_checked_the_same_way(url):
    with pytest.raises(ValidationError):
        webhook_target_check(url)


def test_a_public_host_is_accepted(dns):
    dns["hooks.example.com"] = ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]
    webhook_target_check("https://hooks.example.com/x")


def test_a_host_that_cannot_be_resolved_is_refused(dns):
    with translation.override("nl"), pytest.raises(ValidationError) as refused:
        webhook_target_check("https://nowhere.example.com/x")
    assert refused.value.messages == ["De host van de webhook-URL is niet te vinden."]


def test_the_refusal_is_in_dutch_when_the_language_is_nl(dns):
    dns["intern.example.com"] = ["192.168.1.1"]
    with translation.override("nl"), pytest.raises(ValidationError) as refused:
        webhook_target_check("https://intern.example.com/x")
    assert "is een privéadres" in refused.value.messages[0]


def test_loopback_only_when_the_setting_allows_it(dns, settings):
    dns["private.example.com"] = ["10.0.0.5"]
    dns["localhost"] = ["127.0.0.1", "::1"]
    with pytest.raises(ValidationError):
        webhook_target_check("http://127.0.0.1:8000/hooks")
    settings.INCASSO_WEBHOOKS_ALLOW_LOCAL = True
    webhook_target_check("http://127.0.0.1:8000/hooks")  # the receiver double, over plain HTTP
    webhook_target_check("https://localhost/hooks")
    with pytest.raises(ValidationError):
        webhook_target_check("https://private.example.com/hooks")  # never any other private address
    with pytest.raises(ValidationError):
        webhook_target_check("http://hooks.example.test/x")  # plain HTTP only to loopback


def test_saving_an_endpoint_runs_the_check(creditor, dns):
    dns["intern.example.com"] = ["10.0.0.5"]
    with pytest.raises(ValidationError):
        webhook_endpoint_create(client=creditor, url="https://intern.example.com/hook")
    assert not WebhookEndpoint.objects.exists()


def test_delivery_checks_again_and_refuses_a_host_that_now_resolves_privately(creditor, dns, monkeypatch):
    dns["hooks.example.com"] = ["93.184.215.14"]
    webhook_endpoint_create(client=creditor, url="https://hooks.example.com/hook")
    webhook_event_emit(client=creditor, event=WebhookEventType.PAYOUT_MADE, payload={"net": "10.00"})
    dns["hooks.example.com"] = ["169.254.169.254"]  # rebound after it was saved

    def no_call(**kwargs):
        raise AssertionError("nothing may be sent to a refused address")

    monkeypatch.setattr("incasso.webhooks.services.webhook_post", no_call)
    assert integrations_retry().failed == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING  # tried again later, with back-off
    attempt = delivery.attempt_log.get()
    assert attempt.status_code is None and attempt.error.startswith("refused: ")
    assert "169.254.169.254" in attempt.error
    assert PendingCall.objects.filter(kind="webhook.deliver").exists()


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_delivery_connects_to_the_checked_address_even_when_the_name_moves(
    creditor, dns, monkeypatch, settings, scheme
):
    """DNS rebinding: the name resolves to the checked address for the check, elsewhere a moment later. The
    connection goes to the checked address (the receiver double); a second resolution would lead to 127.0.0.2,
    where nothing listens."""
    import socket

    from incasso.webhooks.testing import WebhookReceiver

    settings.INCASSO_WEBHOOKS_ALLOW_LOCAL = True
    real_getaddrinfo = socket.getaddrinfo

    def rebound(host, port, *args, **kwargs):
        if host == "hooks.example.com":
            return real_getaddrinfo("127.0.0.2", port, *args, **kwargs)
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebound)
    with WebhookReceiver() as receiver:
        port = receiver.url.split(":")[2].split("/")[0]
        dns["hooks.example.com"] = ["127.0.0.1"]
        endpoint, secret = webhook_endpoint_create(client=creditor, url=f"http://hooks.example.com:{port}/hooks")
        receiver.secret = secret
        webhook_event_emit(client=creditor, event=WebhookEventType.PAYOUT_MADE, payload={"net": "10.00"})
        if scheme == "https":
            # TLS keeps the host name: the plain-HTTP double cannot answer a TLS handshake, and the attempt fails
            # at the checked address, not by connecting to the rebound one.
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=f"https://hooks.example.com:{port}/hooks")
            assert integrations_retry().failed == 1
            attempt = WebhookDelivery.objects.get().attempt_log.get()
            assert "127.0.0.2" not in attempt.error and "Connection refused" not in attempt.error
            return
        assert integrations_retry().succeeded == 1
    [document] = receiver.received
    assert document["data"] == {"net": "10.00"}
    assert receiver.hosts == [f"hooks.example.com:{port}"]
