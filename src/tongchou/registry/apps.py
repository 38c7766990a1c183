from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "tongchou.registry"
    label = "registry"

    def ready(self):
        from tongchou.registry import tasks  # noqa: F401  (registers job handlers)
