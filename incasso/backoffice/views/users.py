"""User and role administration, for administrators: log-ins, roles, teams, and a second-factor reset."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from incasso.accounts.access import request_source
from incasso.accounts.administration import LastAdministrator, staff_user_create, staff_user_update
from incasso.accounts.models import Team
from incasso.accounts.roles import Role
from incasso.accounts.second_factor import second_factor_reset
from incasso.backoffice.permissions import ADMIN_ROLES, staff_page, staff_user
from incasso.web.fields import ModelIdsField

USERS_SHOWN = 500


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    teams = ModelIdsField(
        label=_("Teams"), queryset=Team.objects.all(), widget=forms.CheckboxSelectMultiple, required=False
    )


class NewUserForm(RolesForm):
    email = forms.EmailField(label=_("E-mail address (user name)"))
    full_name = forms.CharField(label=_("Name"), max_length=150, required=False)
    password = forms.CharField(
        label=_("First password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )


class EditUserForm(RolesForm):
    active = forms.BooleanField(label=_("May log in"), required=False)


def _roles(cleaned: dict[str, Any]) -> list[Role]:
    return [Role(value) for value in cleaned["roles"]]


@staff_page(ADMIN_ROLES)
def user_list(request: HttpRequest) -> HttpResponse:
    users = User.objects.order_by("username").prefetch_related("groups", "teams", "totpdevice_set")[:USERS_SHOWN]
    # Each role by its name in the reader's language ("Legal officer"), not its code ("legal_officer").
    rows = [(person, [Role(g.name).label for g in person.groups.all() if g.name in Role.values]) for person in users]
    return render(request, "backoffice/users.html", {"users": users, "rows": rows})


@staff_page(ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def user_new(request: HttpRequest) -> HttpResponse:
    form = NewUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if User.objects.filter(username__iexact=form.cleaned_data["email"]).exists():
            form.add_error("email", _("A log-in with this e-mail address exists already."))
        else:
            try:
                user = staff_user_create(
                    by=staff_user(request),
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password"],
                    full_name=form.cleaned_data["full_name"],
                    roles=_roles(form.cleaned_data),
                    teams=form.cleaned_data["teams"],
                    source=request_source(request),
                )
            except ValidationError as exc:
                form.add_error("password", exc)
            else:
                messages.success(request, _("The log-in was created."))
                return HttpResponseRedirect(reverse("backoffice:user-edit", args=[user.pk]))
    return render(
        request, "backoffice/user_form.html", {"form": form, "subject": None}, status=400 if form.errors else 200
    )


@staff_page(ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    subject = get_object_or_404(User, pk=user_id)
    initial = {
        "roles": list(subject.groups.filter(name__in=Role.values).values_list("name", flat=True)),
        "teams": list(subject.teams.all()),
        "active": subject.is_active,
    }
    form = EditUserForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            staff_user_update(
                by=staff_user(request),
                user=subject,
                roles=_roles(form.cleaned_data),
                teams=form.cleaned_data["teams"],
                active=form.cleaned_data["active"],
                source=request_source(request),
            )
        except LastAdministrator:
            form.add_error(None, _("At least one active administrator must remain."))
        else:
            messages.success(request, _("The changes were saved."))
            return HttpResponseRedirect(reverse("backoffice:users"))
    context = {"form": form, "subject": subject, "devices": TOTPDevice.objects.filter(user=subject).count()}
    return render(request, "backoffice/user_form.html", context, status=400 if form.errors else 200)


@staff_page(ADMIN_ROLES)
@require_POST
def user_second_factor_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    """Remove the user's authenticator devices (a lost phone): they set up a new one at their next log-in."""
    subject = get_object_or_404(User, pk=user_id)
    removed = second_factor_reset(user=subject, by=staff_user(request).get_username())
    messages.success(request, _("Second factor reset: %(count)d device(s) removed.") % {"count": removed})
    return HttpResponseRedirect(reverse("backoffice:user-edit", args=[subject.pk]))
