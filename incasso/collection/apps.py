from django.apps import AppConfig


class CollectionConfig(AppConfig):
    """The collection engine: the daily run that brings every open case up to date (C-6, C-8, C-14)."""

    name = "incasso.collection"
    label = "collection"
