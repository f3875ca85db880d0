"""Form fields for values from the browser that must stay within what the database and the services can hold.

Django checks that a posted id is an integer but not that it fits the column: ``pk=2**63`` (exact) is answered as
"no such row" since Django 5.0, but ``pk__in=[2**63]`` still reaches the driver, which raises (``OverflowError`` on
SQLite, ``NumericValueOutOfRange`` on PostgreSQL) - a 500 instead of a form error.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from incasso.domain.date_range import EARLIEST_DATE, LATEST_DATE, date_plausible

# The largest primary key either database stores: a signed 64-bit integer.
MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    """A posted id (a hidden field naming the row a form is about): a whole number the database can store."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


class ModelIdsField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]  # not generic at run time
    """``ModelMultipleChoiceField`` that refuses an id out of the database's range before it queries with it."""

    def clean(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            for pk in value:
                if _out_of_range(pk):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
        return super().clean(value)


def _out_of_range(value: object) -> bool:
    try:
        number = int(str(value))
    except ValueError:
        return False  # not a number at all: Django's own check refuses it with its own message
    return not -MAX_ID - 1 <= number <= MAX_ID


class PlausibleDateField(forms.DateField):
    """A date a person can mean in this business (1900-2099). Far beyond it the date arithmetic downstream (20-year
    limitation periods, interest by the day) runs off the end of Python's calendar (year 9999) and raises."""

    default_error_messages = {"out_of_range": _("Enter a date between %(earliest)s and %(latest)s.")}

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and not date_plausible(value):
            raise ValidationError(
                self.error_messages["out_of_range"],
                code="out_of_range",
                params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
            )
