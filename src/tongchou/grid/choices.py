"""The five levels of the grid."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    DISTRICT = "district", _("District")
    OFFICE = "office", _("Office")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")
    BUILDING = "building", _("Building")


LEVEL_ORDER = [Level.DISTRICT, Level.OFFICE, Level.COMMUNITY, Level.GRID, Level.BUILDING]
LEVEL_DEPTH = {level: depth for depth, level in enumerate(LEVEL_ORDER)}
# The Chinese names units use in their ledgers, mapped to levels.
LEVEL_BY_LABEL = {
    "区": Level.DISTRICT,
    "示范区": Level.DISTRICT,
    "district": Level.DISTRICT,
    "办事处": Level.OFFICE,
    "街道": Level.OFFICE,
    "office": Level.OFFICE,
    "社区": Level.COMMUNITY,
    "村": Level.COMMUNITY,
    "community": Level.COMMUNITY,
    "网格": Level.GRID,
    "grid": Level.GRID,
    "楼栋": Level.BUILDING,
    "楼": Level.BUILDING,
    "building": Level.BUILDING,
}
