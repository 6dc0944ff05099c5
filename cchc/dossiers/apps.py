from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "cchc.dossiers"
    label = "dossiers"
    verbose_name = _("Hồ sơ một cửa")

    def ready(self):
        from cchc.core import registry
        from cchc.dossiers import report_tables, statistics

        registry.register_metric(
            "dossiers.on_time_rate",
            _("Tỷ lệ hồ sơ giải quyết đúng hạn"),
            statistics.metric("on_time_rate"),
        )
        registry.register_metric(
            "dossiers.online_rate",
            _("Tỷ lệ hồ sơ nộp trực tuyến"),
            statistics.metric("online_share"),
        )
        registry.register_metric(
            "dossiers.digitised_rate",
            _("Tỷ lệ hồ sơ được số hóa"),
            statistics.metric("digitised_share"),
        )
        registry.register_figure("dossiers.summary", _("Hồ sơ TTHC"), statistics.figure)
        registry.register_nav("dossiers:dossier-lookup", _("Tra cứu hồ sơ"), order=25)
        registry.register_nav(
            "dossiers:dossier-queue", _("Hồ sơ một cửa"), order=26, staff_only=True
        )
        registry.register_nav(
            "dossiers:my-dossiers", _("Hồ sơ của tôi"), order=26, citizens_only=True
        )
        report_tables.register()
