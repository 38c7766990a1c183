"""REST API for tasks: the caller's own, read and moved along."""

from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import ReadOnlyModelViewSet

from tongchou.command import services
from tongchou.command.choices import TaskStatus
from tongchou.command.models import Task
from tongchou.command.selectors import tasks_visible_to
from tongchou.core.querysets import action_for_method


class TaskSerializer(serializers.ModelSerializer):
    area_code = serializers.CharField(source="area.code", read_only=True)
    title = serializers.SerializerMethodField()
    record_url = serializers.SerializerMethodField()

    def get_title(self, task) -> str:
        """The title with the person's name as the caller's role may see it."""
        request = self.context.get("request")
        return task.title_for(getattr(request, "user", None))

    def get_record_url(self, task) -> str:
        return task.record_url()

    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "description",
            "area_code",
            "owner_user",
            "due_at",
            "status",
            "source",
            "subject_id",
            "person",
            "record_url",
            "created_at",
            "completed_at",
        ]


class TaskStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=TaskStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class TaskViewSet(ReadOnlyModelViewSet):
    """Tasks the caller may see: in their area, or named to them."""

    queryset = Task.objects.none()  # replaced per request; tells the schema the model
    serializer_class = TaskSerializer

    def get_queryset(self):
        return (
            tasks_visible_to(self.request.user, action_for_method(self.request.method))
            .select_related("area", "person")
            .order_by("due_at", "id")
        )

    @action(detail=True, methods=["post"], serializer_class=TaskStatusSerializer)
    def status(self, request, pk=None, format=None):
        task = self.get_object()
        payload = TaskStatusSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        task = services.task_set_status(actor=request.user, task=task, **payload.validated_data)
        return Response(TaskSerializer(task, context={"request": request}).data)
