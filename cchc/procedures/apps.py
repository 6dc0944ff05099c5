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
        from cchc.procedures.views import can_edit_catalogue

        # The check of the mapping views (national_views._require_mapping_editor).
        registry.register_nav(
            "procedures:national-mapping",
            _("Liên thông DVCQG"),
            order=94,
            staff_only=True,
            check=lambda user: user.is_authenticated and can_edit_catalogue(user),
        )
