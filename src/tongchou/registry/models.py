"""People and households of the district."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongchou.core.models import AreaBoundModel
from tongchou.core.privacy import ROLES_SEEING_PEOPLE, PersonalKind
from tongchou.registry.choices import Relation, Sex, Tag


class Household(AreaBoundModel):
    """A dwelling's household (户): the people registered at one door of a building or grid."""

    personal_fields = {"number": PersonalKind.ADDRESS}
    visible_to_roles = ROLES_SEEING_PEOPLE

    area = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, related_name="households")
    number = models.CharField(_("household number"), max_length=64)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(fields=["area", "number"], name="household_area_number_unique"),
        ]

    def __str__(self) -> str:
        return self.number


class Person(AreaBoundModel):
    """A resident on the ledger, placed on the grid node where they live."""

    personal_fields = {
        "name": PersonalKind.NAME,
        "id_number": PersonalKind.ID_NUMBER,
        "phone": PersonalKind.PHONE,
        "address": PersonalKind.ADDRESS,
        "birth_date": PersonalKind.BIRTH_DATE,
    }
    visible_to_roles = ROLES_SEEING_PEOPLE

    name = models.CharField(_("name"), max_length=64)
    id_number = models.CharField(_("ID number"), max_length=18, null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    phone = models.CharField(_("phone"), max_length=16, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    area = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, related_name="people")
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    relation = models.CharField(
        _("relation to head"), max_length=16, choices=Relation.choices, blank=True
    )
    # Tags are few and fixed, so they live in one indexed text column of
    # comma-wrapped slugs (",elderly_home,worker,"): one row per person keeps
    # the bulk import a single insert and "has tag" is one LIKE on both databases.
    tags = models.CharField(_("tags"), max_length=200, blank=True, default="")
    # A personal code carries this random token, never the ID number. Unique by a
    # constraint rather than unique=True, which on PostgreSQL would add a second,
    # pattern-matching index nobody uses; lookups by the token (every scan at a
    # door or a sampling site) use a hash index (migration 0002).
    code_token = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["area_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=models.Q(id_number__isnull=False),
                name="person_id_number_unique",
            ),
            models.CheckConstraint(condition=models.Q(sex__in=Sex.values), name="person_sex_valid"),
            models.UniqueConstraint(fields=["code_token"], name="person_code_token_unique"),
        ]
        indexes = [
            models.Index(fields=["area", "name"], name="person_area_name_idx"),
            models.Index(fields=["phone"], name="person_phone_idx"),
            models.Index(fields=["name"], name="person_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]

    def tag_labels(self) -> list[str]:
        labels = dict(Tag.choices)
        return [str(labels.get(t, t)) for t in self.tag_list]
