"""The privacy taxonomy and the completeness check behind SPEC P-1, on plain values."""

import pytest

from incasso.domain.data_map import (
    PURPOSES,
    DataCategory,
    FieldDeclaration,
    LegalBasis,
    ModelField,
    NotPersonal,
    ProcessingPurpose,
    SubjectCategory,
    check_data_map,
)
from incasso.domain.retention import DEFAULT_PERIODS


def declare(model="parties.Debtor", field="surname", categories=(DataCategory.NAME,), bases=(LegalBasis.CONTRACT,)):
    return FieldDeclaration(
        model,
        field,
        frozenset(categories),
        frozenset({SubjectCategory.DEBTOR}),
        frozenset({ProcessingPurpose.DEBT_COLLECTION}),
        frozenset(bases),
    )


def test_every_purpose_has_a_definition_and_every_retention_period_a_purpose():
    assert set(PURPOSES) == set(ProcessingPurpose)
    assert {d.retention for d in PURPOSES.values() if d.retention} == set(DEFAULT_PERIODS)


def test_a_declaration_needs_every_part_and_a_fitting_ground():
    with pytest.raises(ValueError, match="must all be declared"):
        declare(categories=())
    with pytest.raises(ValueError, match=r"art\. 6 ground"):
        declare(bases=(LegalBasis.LEGAL_CLAIMS,))
    with pytest.raises(ValueError, match=r"art\. 9"):
        declare(categories=(DataCategory.HEALTH,))
    assert declare(categories=(DataCategory.HEALTH,), bases=(LegalBasis.CONTRACT, LegalBasis.LEGAL_CLAIMS))
    with pytest.raises(ValueError, match="none of its grounds"):
        declare(bases=(LegalBasis.CONSENT,))  # consent is not a ground of debt collection


FIELDS = [
    ModelField("parties.Debtor", "id", primary_key=True),
    ModelField("parties.Debtor", "client", relation=True),
    ModelField("parties.Debtor", "created_at", timestamp=True),
    ModelField("parties.Debtor", "surname"),
    ModelField("parties.Debtor", "kind"),
]


def test_the_map_is_complete_when_every_field_is_declared_or_ruled():
    check = check_data_map(FIELDS, [declare()], [NotPersonal("parties.Debtor", "kind", "a legal form")])
    assert check.complete


def test_a_new_field_fails_the_check_until_it_is_declared():
    check = check_data_map([*FIELDS, ModelField("parties.Debtor", "nickname")], [declare()], [])
    assert not check.complete
    assert check.undeclared == ("parties.Debtor.kind", "parties.Debtor.nickname")


def test_a_declaration_of_a_field_that_is_gone_or_declared_twice_fails():
    gone = declare(field="maiden_name")
    check = check_data_map(FIELDS, [declare(), gone], [NotPersonal("parties.Debtor", "surname", "?")])
    assert check.stale == ("parties.Debtor.maiden_name",)
    assert check.conflicting == ("parties.Debtor.surname",)
    assert not check.complete
