from django.apps import AppConfig


class TestingConfig(AppConfig):
    name = "tongchou.testing"
    label = "testing"

    def ready(self):
        from tongchou.testing import tasks  # noqa: F401  (registers job handlers)
