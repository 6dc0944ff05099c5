"""Wrap known abbreviations in rendered text with <abbr title="...">, leaving markup alone."""

import re
from html import escape

from django.core.cache import cache

CACHE_KEY = "core:abbreviations:v1"
_TAG = re.compile(r"(<[^>]*>)")
_TAG_NAME = re.compile(r"^</?\s*([a-zA-Z0-9]+)")
# Inside these elements text is left as it is (links keep their text, no abbr in abbr).
_SKIP = {"a", "abbr", "script", "style", "code", "pre", "textarea", "title", "button"}


def glossary() -> dict[str, str]:
    data = cache.get(CACHE_KEY)
    if data is None:
        from cchc.core.models import Abbreviation

        data = dict(Abbreviation.objects.values_list("abbreviation", "expansion"))
        cache.set(CACHE_KEY, data, 300)
    return data


def forget_glossary() -> None:
    cache.delete(CACHE_KEY)


def _pattern(terms: dict[str, str]) -> re.Pattern | None:
    if not terms:
        return None
    # Longest first so "VBQPPL" wins over "QPPL"; terms are matched in their escaped HTML form.
    alternatives = sorted((re.escape(escape(t, quote=False)) for t in terms), key=len, reverse=True)
    return re.compile(r"(?<![\w&;])(" + "|".join(alternatives) + r")(?![\w])")


def expand(html: str, terms: dict[str, str] | None = None) -> str:
    """`html` must already be safe HTML; returns HTML with <abbr> around known terms."""
    terms = glossary() if terms is None else terms
    pattern = _pattern(terms)
    if pattern is None:
        return html
    by_escaped = {escape(k, quote=False): v for k, v in terms.items()}
    out, skip_depth = [], 0
    for part in _TAG.split(html):
        if part.startswith("<"):
            match = _TAG_NAME.match(part)
            name = match.group(1).lower() if match else ""
            if name in _SKIP and not part.endswith("/>"):
                skip_depth += -1 if part.startswith("</") else 1
                skip_depth = max(skip_depth, 0)
            out.append(part)
        elif skip_depth or not part:
            out.append(part)
        else:
            out.append(
                pattern.sub(
                    lambda m: f'<abbr title="{escape(by_escaped[m.group(1)])}">{m.group(1)}</abbr>',
                    part,
                )
            )
    return "".join(out)
