"""Template filters that show personal fields masked."""

from django import template

from tongchou.core.privacy import masked_value

register = template.Library()


@register.filter
def masked(instance, field_name: str) -> str:
    """``{{ person|masked:"id_number" }}`` -> ``4101**********1234``."""
    return masked_value(instance, field_name)
