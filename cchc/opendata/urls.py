from django.urls import path, register_converter

from cchc.opendata import views


class _Converter:
    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class AgencyCodeConverter(_Converter):
    regex = "[A-Z0-9.]+"  # core.Agency.code


class DataFormatConverter(_Converter):
    regex = "csv|json"


register_converter(AgencyCodeConverter, "agencycode")
register_converter(DataFormatConverter, "datafmt")

app_name = "opendata"
urlpatterns = [
    path("", views.index, name="index"),
    path("data.json", views.catalogue, name="catalogue"),
    path("<agencycode:agency>/", views.index, name="agency-index"),
    path("<agencycode:agency>/data.json", views.catalogue, name="agency-catalogue"),
    path("<agencycode:agency>/<slug:dataset>.<datafmt:fmt>", views.dataset, name="dataset"),
]
