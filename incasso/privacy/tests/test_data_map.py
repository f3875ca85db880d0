"""SPEC P-1: every field of every installed model is declared personal or not, and a new field fails the test."""

import pytest
from django.db import models
from django.test.utils import isolate_apps

from incasso.domain.data_map import check_data_map
from incasso.privacy.completeness import data_map_check, model_fields
from incasso.privacy.data_map import PERSONAL_FIELDS
from incasso.privacy.not_personal import NOT_PERSONAL_FIELDS


def test_every_field_of_every_model_is_classified():
    check = data_map_check()
    assert check.undeclared == (), "declare these fields in incasso/privacy/data_map.py or not_personal.py"
    assert check.stale == (), "these declared fields no longer exist"
    assert check.conflicting == ()


@pytest.mark.parametrize(
    ("model", "field"),
    [
        ("parties.Debtor", "surname"),
        ("parties.Debtor", "iban"),
        ("parties.Debtor", "date_of_birth"),
        ("parties.ClientContact", "email"),
        ("cases.Claim", "principal_cents"),
        ("decisions.Decision", "inputs"),
        ("communications.Letter", "data"),
        ("payments.StatementEntry", "counterparty_iban"),
        ("auth.User", "email"),
        ("audit.AuditEvent", "source"),
    ],
)
def test_the_obvious_personal_fields_are_declared_personal(model, field):
    assert f"{model}.{field}" in {d.key for d in PERSONAL_FIELDS}


@isolate_apps("incasso.privacy")
def test_a_model_that_gains_a_field_fails_the_check():
    class Debtor(models.Model):
        surname = models.CharField(max_length=10)
        nickname = models.CharField(max_length=10)  # the new, undeclared field
        debtor = models.ForeignKey("self", on_delete=models.CASCADE)
        seen_at = models.DateTimeField()

        class Meta:
            app_label = "privacy"

        def __str__(self):
            return self.surname

    fields = model_fields([Debtor])
    declared = [d for d in PERSONAL_FIELDS if d.model == "parties.Debtor" and d.field == "surname"]
    renamed = [type(d)("privacy.Debtor", d.field, d.categories, d.subjects, d.purposes, d.bases) for d in declared]
    check = check_data_map(fields, renamed, [])
    assert check.undeclared == ("privacy.Debtor.nickname",)  # id, the relation and the timestamp go by rule
    assert not check.complete


def test_the_not_personal_list_says_why():
    assert all(n.reason for n in NOT_PERSONAL_FIELDS)
