"""The staff home: work queues per team and the pipeline; one queue at a time; working a queue item."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from incasso.accounts.access import access_case_object_refused, access_may_write, request_source
from incasso.accounts.middleware import safe_next
from incasso.backoffice import queues
from incasso.backoffice.permissions import staff_page, staff_user
from incasso.backoffice.pipeline import home_summary
from incasso.backoffice.services import OUTCOME_LENGTH, queue_task_work
from incasso.cases.models import StaffTask, TaskKind

ITEMS_SHOWN = 100
TASK_QUEUES: dict[queues.QueueKey, tuple[TaskKind, ...] | None] = {
    queues.QueueKey.DISPUTES: (TaskKind.DISPUTE,),
    queues.QueueKey.APPROVALS: (TaskKind.APPROVAL,),
    queues.QueueKey.TASKS: None,
}


class TaskWorkForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), max_length=OUTCOME_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))
    done = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("1", _("Done")), ("0", _("Cancelled"))],
        coerce=lambda value: value == "1",
        initial="1",
    )


@staff_page()
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "counts": queues.queue_counts(user=request.user, today=today),
        "summary": home_summary(user=request.user),
        "tasks": queues.tasks_open(user=request.user)[:10],
        "form": TaskWorkForm(),
    }
    return render(request, "backoffice/home.html", context)


@staff_page()
def queue(request: HttpRequest, key: str) -> HttpResponse:
    try:
        queue_key = queues.QueueKey(key)
    except ValueError:
        raise Http404("No such queue.") from None
    return queue_page_response(request, queue_key)


def queue_page_response(
    request: HttpRequest, queue_key: queues.QueueKey, *, status: int = 200, **refused: object
) -> HttpResponse:
    """The queue page; an action whose form was refused passes what it needs here (``match_form=form``), so the
    page shows the error beside the row and keeps what the user typed instead of redirecting."""
    today = timezone.localdate()
    user = request.user
    context: dict[str, object] = {"key": queue_key, "label": queues.QUEUE_LABELS[queue_key], "form": TaskWorkForm()}
    if queue_key in TASK_QUEUES:
        context["tasks"] = queues.tasks_open(user=user, kinds=TASK_QUEUES[queue_key])[:ITEMS_SHOWN]
    elif queue_key is queues.QueueKey.DUE_TODAY:
        context["cases"] = queues.cases_due(user=user, today=today)[:ITEMS_SHOWN]
    elif queue_key is queues.QueueKey.PROMISES:
        context["promises"] = queues.promises_due(user=user, today=today)[:ITEMS_SHOWN]
    elif queue_key is queues.QueueKey.REVIEWS:
        context["reviews"] = queues.reviews_open(user=user)[:ITEMS_SHOWN]
    else:
        context["entries"] = queues.unmatched_payments(user=user)[:ITEMS_SHOWN]
        context["may_match"] = access_may_write(user=user)  # finance puts each entry on its case from here
    context.update(refused)
    return render(request, "backoffice/queue.html", context, status=status)


@staff_page()
@require_http_methods(["POST"])
def task_work(request: HttpRequest, task_id: int) -> HttpResponse:
    """Close a queue item with an outcome. htmx gets the updated row back; without htmx, a redirect."""
    user = staff_user(request)
    if not access_may_write(user=user):
        raise Http404("No such task.")
    # Only tasks in the user's queues: another team's task answers 404, as if it did not exist.
    task = queues.tasks_open(user=user).filter(pk=task_id).select_related("case__debtor").first()
    if task is None:
        asked = StaffTask.objects.filter(pk=task_id)
        raise access_case_object_refused(user=user, objects=asked, what="task", reference=task_id, request=request)
    form = TaskWorkForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            task = queue_task_work(
                task=task,
                actor=user,
                outcome=form.cleaned_data["outcome"],
                done=form.cleaned_data["done"],
                source=request_source(request),
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(str(message) for messages in form.errors.values() for message in messages)
    if getattr(request, "htmx", False):
        status = 200 if not error else 422
        return render(request, "backoffice/_task_row.html", {"task": task, "form": form, "error": error}, status=status)
    if error:
        return render(request, "backoffice/task_error.html", {"task": task, "error": error}, status=422)
    return HttpResponseRedirect(safe_next(request, reverse("backoffice:home")))
