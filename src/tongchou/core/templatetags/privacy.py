"""The template side of the privacy policy: personal fields shown as the viewer may see them."""

from django import template

from tongchou.core.privacy import shown_field

register = template.Library()


@register.simple_tag(takes_context=True)
def personal(context, instance, field_name: str) -> str:
    """``{% personal person "id_number" %}`` -> ``4101**********1234`` for most roles,
    the whole value or nothing as ``core.privacy.POLICY`` says for the signed-in user."""
    if instance is None:
        return ""
    request = context.get("request")
    return shown_field(getattr(request, "user", None), instance, field_name)
