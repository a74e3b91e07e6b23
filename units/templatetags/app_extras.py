from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """dict lookup in templates: {{ counts|get_item:status }}."""
    return mapping.get(key) if mapping else None
