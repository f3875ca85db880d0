from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    """Automated decisions (C-6): versioned strategies, the decisions they made, contests and objections."""

    name = "incasso.decisions"
    label = "decisions"
