"""What the list pages filtered by django-filter share: a message for a bad value, the errors as
(field, message) pairs, and a page number checked rather than silently replaced by page 1."""

import django_filters
from django.core.paginator import Page, Paginator
from django.utils.translation import gettext as _


def invalid(message) -> dict:
    """`error_messages` of a filter: the same message for a bad choice and a bad value."""
    return {"invalid_choice": message, "invalid": message}


class FilterSet(django_filters.FilterSet):
    @property
    def values(self) -> dict:
        return self.form.cleaned_data

    def error_list(self) -> list[tuple[str, str]]:
        return [(field, str(m)) for field, messages in self.errors.items() for m in messages]


def filtered_page(filterset: FilterSet, per_page: int, raw_page) -> tuple[Page, list]:
    """The page asked for (`raw_page` as in the query string, None for the first) of the
    filtered list, and the errors: a bad filter value, a page that is not a number from 1 or is
    past the end. With errors the page is empty (the view answers 400 with the messages)."""
    empty = Paginator([], per_page).page(1)
    if not filterset.is_valid():
        return empty, filterset.error_list()
    raw = "1" if raw_page is None else raw_page
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        return empty, [("page", _("Số trang không hợp lệ."))]
    paginator = Paginator(filterset.qs, per_page)
    if int(raw) > paginator.num_pages:
        return empty, [("page", _("Không có trang này."))]
    return paginator.page(int(raw)), []
