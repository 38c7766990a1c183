from django.apps import AppConfig


class TracingConfig(AppConfig):
    name = "tongchou.tracing"
    label = "tracing"

    def ready(self):
        # Check-ins a tracing file points at are kept past the retention period.
        from tongchou.tracing import tasks  # noqa: F401  (registers job handlers)
        from tongchou.tracing.retention import register_holds

        register_holds()
