from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "cchc.procedures"
    label = "procedures"
    verbose_name = _("Thủ tục hành chính")

    def ready(self):
        from cchc.core import registry
        from cchc.procedures import selectors

        registry.register_search("procedures", _("Thủ tục hành chính"), selectors.search)
        registry.register_nav("procedures:procedure-list", _("Thủ tục hành chính"), order=20)
