"""The one normaliser for Vietnamese search: lower case, diacritics removed, đ → d."""

import unicodedata


def normalise(text: str) -> str:
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())


# The longest search text a page or an API takes (the portal search, the catalogue, answers).
MAX_QUERY = 200


def query_error(value: str | None) -> str:
    """The Vietnamese message for a search text longer than MAX_QUERY ("" when it is fine)."""
    from django.utils.translation import gettext as _

    if len((value or "").strip()) > MAX_QUERY:
        return _("Từ khóa quá dài: tối đa %(max)s ký tự.") % {"max": MAX_QUERY}
    return ""


def search_query(value: str | None) -> str:
    """A search text typed by a visitor, trimmed. Longer than MAX_QUERY it is refused, never
    cut silently: a ValidationError keyed ``q`` (an API answers 400 with the field; a page
    shows the message with 400; see ``query_error``)."""
    from django.core.exceptions import ValidationError

    if message := query_error(value):
        raise ValidationError({"q": message})
    return (value or "").replace("\x00", "").strip()
