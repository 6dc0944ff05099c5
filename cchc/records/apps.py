from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "cchc.records"
    label = "records"
    verbose_name = _("Số liệu CCHC (lĩnh vực 4-7)")

    def ready(self):
        from cchc.core import registry
        from cchc.records import figures, metrics

        metrics.register()
        figures.register()
        # Like plans: shown to civil servants, whom the pages let in (require_staff); no check
        # of its own, so that the menu costs no query.
        registry.register_nav("records:overview", _("Số liệu CCHC"), 62, staff_only=True)
