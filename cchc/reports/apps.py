from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "cchc.reports"
    label = "reports"
    verbose_name = _("Báo cáo CCHC")

    def ready(self):
        from cchc.core import registry

        # The dashboard is the person's agency's (views.dashboard: 404 without one).
        registry.register_nav(
            "reports:dashboard",
            _("Tổng quan CCHC"),
            61,
            staff_only=True,
            # A unit always belongs to an agency: no query for the agency row itself.
            check=lambda user: user.unit_id is not None,
        )
