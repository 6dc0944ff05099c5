"""The API's pagination (its own module: the REST framework imports it while it starts)."""

from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """DRF's page-number pagination, but a `page` that is given must be a page number: an
    empty or non-numeric value is a 404 like a page past the end, not silently page 1."""

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and not raw.isdigit():
            raise exceptions.NotFound(_("Số trang không hợp lệ."))
        return super().get_page_number(request, paginator)
