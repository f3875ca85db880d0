"""Data keys (one per data subject) and the retired master-key versions (P-3)."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DataKey(models.Model):
    """A data subject's data key, stored only wrapped under a master key.

    The id is made before the row is written so that bulk writers can seal a subject's fields and insert the key and
    the subject in one go; it is also the row key in the ciphertexts' associated data. Destroying the key
    (crypto-shredding) erases the wrapped key and keeps the row as a tombstone that says when.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # "app_label.model" of the subject the key belongs to, e.g. "parties.debtor".
    subject_type = models.CharField(_("subject type"), max_length=100)
    wrapped_key = models.BinaryField(_("wrapped key"), null=True, blank=True)
    master_version = models.CharField(_("master-key version"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    destroyed_at = models.DateTimeField(_("destroyed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("data key")
        verbose_name_plural = _("data keys")
        # No index on the master version (docs/adr/0011): destroying a key changes it (and ``destroyed_at``), and
        # with no indexed column changed, and the free space the table keeps in each page (fillfactor 60, set in
        # migration 0003), PostgreSQL rewrites the row in place (a HOT update) without a new primary-key entry. The
        # queries by version (rotation, retirement, the status page) are jobs over all keys that read the table.
        constraints = [
            # Live: a wrapped key and the version it is wrapped under. Destroyed: neither.
            models.CheckConstraint(
                condition=(Q(destroyed_at__isnull=True) & Q(wrapped_key__isnull=False) & ~Q(master_version=""))
                | (Q(destroyed_at__isnull=False) & Q(wrapped_key__isnull=True) & Q(master_version="")),
                name="datakey_live_or_destroyed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject_type} {self.id}"

    @property
    def is_destroyed(self) -> bool:
        return self.destroyed_at is not None


class RetiredMasterKey(models.Model):
    """A master-key version no data key is wrapped under any more; it must be removed from the environment, and is
    refused if it is still there. Backups whose data keys were wrapped under it become unreadable once it is gone."""

    version = models.CharField(_("master-key version"), max_length=40, unique=True)
    retired_at = models.DateTimeField(_("retired at"), default=timezone.now)

    class Meta:
        verbose_name = _("retired master key")
        verbose_name_plural = _("retired master keys")

    def __str__(self) -> str:
        return self.version
