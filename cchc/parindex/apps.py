from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParindexConfig(AppConfig):
    name = "cchc.parindex"
    label = "parindex"
    verbose_name = _("Chỉ số CCHC")

    def ready(self):
        from cchc.core import registry
        from cchc.parindex import metrics, report_tables, selectors
        from cchc.reports.charts import trend_table

        registry.register_metric(
            "parindex.evidence_coverage",
            _("Tỷ lệ tiêu chí có điểm kèm tài liệu kiểm chứng"),
            metrics.evidence_coverage,
        )
        registry.register_figure("parindex.latest", _("Chỉ số CCHC"), selectors.agency_figure)
        registry.register_figure(
            "parindex.trend", _("Chỉ số CCHC qua các năm"), selectors.agency_trend
        )
        registry.register_report_table(
            "parindex_trend",
            section="overview",
            figure="parindex.trend",
            build=trend_table,
            order=60,
        )
        registry.register_nav("parindex:home", _("Chỉ số CCHC"), 30)
        report_tables.register()
