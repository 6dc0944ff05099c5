# Open311 GeoReport v2, mounted at /open311/v2/ (see cchc/feedback/open311.py).
from django.urls import path, register_converter

from cchc.feedback import open311


class FormatConverter:
    """The specification's response formats, as the file extension of every endpoint."""

    regex = "json|xml"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FormatConverter, "open311fmt")

app_name = "open311"
urlpatterns = [
    path("services.<open311fmt:fmt>", open311.service_index, name="services"),
    path("requests.<open311fmt:fmt>", open311.request_index, name="requests"),
    path("requests/<slug:code>.<open311fmt:fmt>", open311.request_detail, name="request-detail"),
]
