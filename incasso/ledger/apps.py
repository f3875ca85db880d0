from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "incasso.ledger"
    label = "ledger"
