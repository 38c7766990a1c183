"""Choices for people and households."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Relation(models.TextChoices):
    """Relation to the head of household, as ledgers record it."""

    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GRANDCHILD = "grandchild", _("Grandchild")
    OTHER = "other", _("Other")
    TENANT = "tenant", _("Tenant")


RELATION_BY_LABEL = {
    "户主": Relation.HEAD,
    "本人": Relation.HEAD,
    "配偶": Relation.SPOUSE,
    "妻": Relation.SPOUSE,
    "夫": Relation.SPOUSE,
    "子": Relation.CHILD,
    "女": Relation.CHILD,
    "子女": Relation.CHILD,
    "儿子": Relation.CHILD,
    "女儿": Relation.CHILD,
    "父": Relation.PARENT,
    "母": Relation.PARENT,
    "父母": Relation.PARENT,
    "父亲": Relation.PARENT,
    "母亲": Relation.PARENT,
    "孙子": Relation.GRANDCHILD,
    "孙女": Relation.GRANDCHILD,
    "孙子女": Relation.GRANDCHILD,
    "租户": Relation.TENANT,
    "租住": Relation.TENANT,
    "其他": Relation.OTHER,
}


class Tag(models.TextChoices):
    """Groups that rounds and campaigns select on."""

    BOARDING_PUPIL = "boarding_pupil", _("Boarding-school pupil")
    UNIVERSITY_STUDENT = "university_student", _("University student")
    ELDERLY_HOME = "elderly_home", _("Elderly-care home resident")
    ENTERPRISE_WORKER = "enterprise_worker", _("Enterprise worker")
    CONSTRUCTION_WORKER = "construction_worker", _("Construction worker")
    SCHOOL_STAFF = "school_staff", _("School staff")
    BEDRIDDEN = "bedridden", _("Bedridden")
    PROTOCOL_GUIDE = "protocol_guide", _("Protocol guide")


TAG_BY_LABEL = {
    "寄宿生": Tag.BOARDING_PUPIL,
    "寄宿制学生": Tag.BOARDING_PUPIL,
    "寄宿学生": Tag.BOARDING_PUPIL,
    "高校学生": Tag.UNIVERSITY_STUDENT,
    "大学生": Tag.UNIVERSITY_STUDENT,
    "在校大学生": Tag.UNIVERSITY_STUDENT,
    "养老院": Tag.ELDERLY_HOME,
    "养老机构": Tag.ELDERLY_HOME,
    "养老机构人员": Tag.ELDERLY_HOME,
    "企业职工": Tag.ENTERPRISE_WORKER,
    "企业员工": Tag.ENTERPRISE_WORKER,
    "建筑工人": Tag.CONSTRUCTION_WORKER,
    "工地工人": Tag.CONSTRUCTION_WORKER,
    "教职工": Tag.SCHOOL_STAFF,
    "卧床": Tag.BEDRIDDEN,
    "行动不便": Tag.BEDRIDDEN,
    "明白人": Tag.PROTOCOL_GUIDE,
}
