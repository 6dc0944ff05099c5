from django import template

from cchc.parindex.rules import fmt

register = template.Library()


@register.filter
def vn(value):
    """Points with a decimal comma: 1,25."""
    return fmt(value)


@register.filter
def vn3(value):
    """Three decimals with a decimal comma: 76,473."""
    return fmt(value, 3)


@register.filter
def signed3(value):
    if value is None:
        return ""
    return ("+" if value > 0 else "") + fmt(value, 3)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
