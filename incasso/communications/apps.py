from django.apps import AppConfig


class CommunicationsConfig(AppConfig):
    name = "incasso.communications"
    label = "communications"

    def ready(self) -> None:
        from incasso.communications import checks  # noqa: F401  (registers the deploy checks)
