"""The five-level grid: district > office > community > grid > building."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongchou.core.models import TimeStampedModel
from tongchou.core.querysets import RestrictedQuerySet
from tongchou.grid.choices import Level


class GridNode(TimeStampedModel):
    """One area of the district at one of five levels, answered for by one person.

    ``path`` is the materialised path of zero-padded primary keys
    (``/00000001/00000004/00000017/``); "this
    node and everything below" is ``path__startswith`` on an index.
    """

    personal_fields = {}
    not_personal_fields = {"name"}
    area_field = ""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, editable=False, db_index=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_nodes",
        verbose_name=_("responsible person"),
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("grid node")
        verbose_name_plural = _("grid nodes")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="gridnode_sibling_name_unique"),
            models.CheckConstraint(
                condition=models.Q(level__in=Level.values), name="gridnode_level_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(parent__isnull=False) | models.Q(level=Level.DISTRICT),
                name="gridnode_only_district_is_root",
            ),
        ]
        indexes = [
            models.Index(
                fields=["path"], name="gridnode_path_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["level", "name"], name="gridnode_level_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2
