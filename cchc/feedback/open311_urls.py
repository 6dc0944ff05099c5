# Open311 GeoReport v2, mounted at /open311/v2/ (see cchc/feedback/open311.py).
from django.urls import re_path

from cchc.feedback import open311

app_name = "open311"
urlpatterns = [
    re_path(r"^services\.(?P<fmt>json|xml)$", open311.service_index, name="services"),
    re_path(r"^requests\.(?P<fmt>json|xml)$", open311.request_index, name="requests"),
    re_path(
        r"^requests/(?P<code>[A-Za-z0-9-]+)\.(?P<fmt>json|xml)$",
        open311.request_detail,
        name="request-detail",
    ),
]
