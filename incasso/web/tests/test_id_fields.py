"""The id fields refuse what no database column can hold, as a form error instead of a driver exception."""

import pytest
from django import forms

from incasso.accounts.models import Team
from incasso.web.fields import MAX_ID, IdField, ModelIdsField


class TeamsForm(forms.Form):
    teams = ModelIdsField(queryset=Team.objects.all(), required=False)
    request = IdField(required=False)


@pytest.mark.django_db
@pytest.mark.parametrize("posted", [str(2**63), str(-(2**63) - 1), "9" * 40])
def test_an_id_out_of_range_is_a_form_error_not_a_500(posted):
    form = TeamsForm({"teams": [posted], "request": posted})
    assert not form.is_valid()
    assert set(form.errors) == {"teams", "request"}


@pytest.mark.django_db
def test_ids_in_range_still_choose_rows():
    team = Team.objects.create(name="A")
    form = TeamsForm({"teams": [str(team.pk)], "request": str(MAX_ID)})
    assert form.is_valid(), form.errors
    assert list(form.cleaned_data["teams"]) == [team]
    assert form.cleaned_data["request"] == MAX_ID


@pytest.mark.django_db
def test_text_is_still_refused_with_djangos_own_message():
    form = TeamsForm({"teams": ["abc"], "request": "abc"})
    assert not form.is_valid()
    assert "abc" in str(form.errors["teams"])
