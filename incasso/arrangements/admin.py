from django.contrib import admin

from incasso.arrangements.models import Arrangement, Instalment, Mandate, PromiseToPay


class InstalmentInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Instalment
    extra = 0
    can_delete = False
    readonly_fields = ("number", "due_on", "amount_cents", "paid_cents", "status")


@admin.register(Arrangement)
class ArrangementAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("case", "status", "months", "instalment_cents", "first_due", "proposed_by")
    list_filter = ("status", "proposed_by")
    raw_id_fields = ("case",)
    inlines = (InstalmentInline,)


@admin.register(PromiseToPay)
class PromiseToPayAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("case", "amount_cents", "due_on", "status")
    raw_id_fields = ("case",)


@admin.register(Mandate)
class MandateAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("reference", "case", "signed_on", "sequence", "revoked_at")
    raw_id_fields = ("case",)
