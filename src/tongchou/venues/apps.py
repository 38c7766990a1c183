from django.apps import AppConfig


class VenuesConfig(AppConfig):
    name = "tongchou.venues"
    label = "venues"

    def ready(self):
        from tongchou.venues import tasks  # noqa: F401  (registers job handlers)
