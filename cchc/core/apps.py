from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "cchc.core"
    label = "core"
    verbose_name = _("Nền tảng chung")

    def ready(self):
        from cchc.core import registry, twofactor

        twofactor.connect_signals()

        registry.register_nav("core:home", _("Trang chủ"), order=0)
        registry.register_nav("core:calendar", _("Tính hạn xử lý"), order=80)
        registry.register_nav("core:glossary", _("Từ viết tắt"), order=90)
