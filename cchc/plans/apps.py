from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "cchc.plans"
    label = "plans"
    verbose_name = _("Kế hoạch CCHC")

    def ready(self):
        from cchc.core import registry
        from cchc.plans import report_tables, selectors

        registry.register_metric(
            "plans.completion_rate",
            _("Tỷ lệ nhiệm vụ kế hoạch CCHC hoàn thành đúng hạn"),
            selectors.completion_rate,
        )
        registry.register_figure(
            "plans.summary",
            _("Kế hoạch CCHC, rà soát văn bản và TTHC, quy chế nội bộ, ISO 9001"),
            selectors.plans_figure,
        )
        registry.register_nav("plans:plan-list", _("Kế hoạch CCHC"), 60, staff_only=True)
        report_tables.register()
