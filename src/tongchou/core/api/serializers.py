"""Serializer base that masks personal fields, so no API view can forget to."""

from rest_framework import serializers

from tongchou.core.privacy import MASKED_KINDS, masked_fields


class MaskedModelSerializer(serializers.ModelSerializer):
    """Every field the model declares as ID number or phone is masked on the way out.

    Seeing one in full is a separate, logged action (the ``reveal`` endpoint).
    """

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name, kind in masked_fields(self.Meta.model).items():
            if name in data:
                data[name] = MASKED_KINDS[kind](data[name])
        return data
