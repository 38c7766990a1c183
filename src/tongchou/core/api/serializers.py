"""Serializer base that applies the privacy policy, so no API view can forget to."""

from django.core.validators import ProhibitNullCharactersValidator
from rest_framework import serializers

from tongchou.core.privacy import Shown, how_shown, is_masked_echo, shown


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

    def to_internal_value(self, data):
        """On an update, a personal value sent back masked, as it went out to this caller
        (``138****5678``), is the stored one unchanged: a client may PUT what it read."""
        values = super().to_internal_value(data)
        if self.instance is None:
            return values
        viewer = getattr(self.context.get("request"), "user", None)
        for name, kind in getattr(self.Meta.model, "personal_fields", {}).items():
            field = self.fields.get(name)
            if field is None or field.read_only or field.source not in values:
                continue
            if how_shown(viewer, kind) not in (Shown.MASKED, Shown.REVEALABLE):
                continue
            stored = getattr(self.instance, field.source)
            if is_masked_echo(kind, values[field.source], stored):
                values[field.source] = stored
        return values


class SlugRelatedField(serializers.SlugRelatedField):
    """DRF's SlugRelatedField, refusing a NUL character (400) before the lookup: PostgreSQL
    cannot compare text holding one, and the lookup's error would answer 500."""

    def to_internal_value(self, data):
        ProhibitNullCharactersValidator()(data)
        return super().to_internal_value(data)
