from django.apps import AppConfig


class PrintHouseConfig(AppConfig):
    name = "incasso.print_house"
    label = "print_house"
    verbose_name = "Print house"
