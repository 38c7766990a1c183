from django.apps import AppConfig


class VenuesConfig(AppConfig):
    name = "tongchou.venues"
    label = "venues"
