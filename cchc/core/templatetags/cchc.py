from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from cchc.core import abbreviations

register = template.Library()


@register.filter(needs_autoescape=True)
def abbreviate(value, autoescape=True):
    """Render text (escaped unless already safe HTML) with known abbreviations in <abbr>."""
    html = conditional_escape(value) if autoescape else str(value)
    return mark_safe(abbreviations.expand(str(html)))


@register.filter
def vnd(value):
    """1234567 → "1.234.567 đ"."""
    try:
        number = int(round(float(value)))
    except (TypeError, ValueError):
        return ""
    return f"{number:,}".replace(",", ".") + " đ"


@register.filter
def with_nonce(media, nonce):
    """A form's media with the page's CSP nonce on its tags: ``{{ form.media|with_nonce:request.csp_nonce }}``
    (the prose editor writes its import map as an inline <script type="importmap">)."""
    from js_asset import Media

    return Media.from_media(media, nonce="" if nonce is None else str(nonce))
