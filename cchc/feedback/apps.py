from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "cchc.feedback"
    label = "feedback"
    verbose_name = _("Phản ánh, kiến nghị")

    def ready(self):
        from cchc.core import registry
        from cchc.feedback import report_tables, selectors

        registry.register_metric(
            "feedback.on_time_rate", _("Tỷ lệ PAKN trả lời đúng hạn"), selectors.on_time_rate
        )
        registry.register_metric(
            "feedback.answered_rate", _("Tỷ lệ PAKN đã trả lời"), selectors.answered_rate
        )
        registry.register_figure("feedback.summary", _("PAKN"), selectors.summary)
        registry.register_search("feedback.answers", _("Trả lời PAKN"), selectors.search_answers)
        registry.register_nav("feedback:petition-create", _("Gửi PAKN"), order=60)
        registry.register_nav("feedback:answer-list", _("Trả lời PAKN"), order=61)
        registry.register_nav("feedback:staff-queue", _("Xử lý PAKN"), order=91, staff_only=True)
        report_tables.register()
