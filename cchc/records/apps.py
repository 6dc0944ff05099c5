from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "cchc.records"
    label = "records"
    verbose_name = _("Số liệu CCHC (lĩnh vực 4-7)")

    def ready(self):
        from cchc.core import registry
        from cchc.records import figures, metrics, views

        metrics.register()
        figures.register()
        registry.register_nav(
            "records:overview", _("Số liệu CCHC"), 62, staff_only=True, check=views.may_see
        )
