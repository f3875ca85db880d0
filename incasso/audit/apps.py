from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "incasso.audit"
    label = "audit"
    verbose_name = "Audit log"
