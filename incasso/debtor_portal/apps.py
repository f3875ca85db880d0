from django.apps import AppConfig


class DebtorPortalConfig(AppConfig):
    name = "incasso.debtor_portal"
    label = "debtor_portal"
    verbose_name = "Debtor portal (Plan&Pay)"
