"""Serializer base that applies the privacy policy, so no API view can forget to."""

from django.core.validators import ProhibitNullCharactersValidator
from rest_framework import serializers

from tongchou.core.privacy import shown


class PersonalModelSerializer(serializers.ModelSerializer):
    """Every field the model declares personal goes out as the caller may see it
    (``core.privacy.POLICY``): whole, masked, or empty. Without a request in the
    context nobody is asking, and everything personal is withheld.

    Seeing a revealable field in full is a separate, logged action (``reveal``).
    """

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        viewer = getattr(request, "user", None)
        for name, kind in getattr(self.Meta.model, "personal_fields", {}).items():
            if name in data:
                data[name] = shown(viewer, kind, data[name])
        return data


class SlugRelatedField(serializers.SlugRelatedField):
    """DRF's SlugRelatedField, refusing a NUL character (400) before the lookup: PostgreSQL
    cannot compare text holding one, and the lookup's error would answer 500."""

    def to_internal_value(self, data):
        ProhibitNullCharactersValidator()(data)
        return super().to_internal_value(data)
