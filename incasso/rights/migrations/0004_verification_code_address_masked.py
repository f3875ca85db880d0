"""Where a verification code went kept only as a masked address (``j***@e***.nl``), not the address itself.

``addresses_mask`` rewrites the codes sent so far, ``BATCH`` per transaction, re-runnable (a masked address stays as
it is). The schema change back is allowed, but the addresses are not restored: not keeping them is the point, and
the masked form is a valid value of the old column too.
"""

from django.db import migrations, models, transaction

BATCH = 500


def _masked(address):
    # As rights.services.address_masked (copied: a migration does not import the app's code).
    local, _at, domain = address.strip().lower().rpartition("@")
    if not local:
        return "***"
    host, dot, tld = domain.rpartition(".")
    masked_domain = f"{host[:1]}***{dot}{tld}" if host else f"{domain[:1]}***"
    return f"{local[:1]}***@{masked_domain}"


def addresses_mask(apps, schema_editor):
    Code = apps.get_model("rights", "VerificationCode")
    last = 0
    while True:
        with transaction.atomic():
            rows = list(Code.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "sent_to")[:BATCH])
            if not rows:
                return
            last = rows[-1][0]
            for pk, sent_to in rows:
                if "***" not in sent_to:
                    Code.objects.filter(pk=pk).update(sent_to=_masked(sent_to))


class Migration(migrations.Migration):
    dependencies = [("rights", "0003_rectification_values_sealed")]

    operations = [
        migrations.AlterField(
            model_name="verificationcode",
            name="sent_to",
            field=models.CharField(max_length=254, verbose_name="sent to (masked)"),
        ),
        migrations.RunPython(addresses_mask, migrations.RunPython.noop, elidable=False),
    ]
