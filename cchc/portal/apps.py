from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "cchc.portal"
    label = "portal"
    verbose_name = _("Cổng thông tin")

    def ready(self):
        from cchc.core import registry
        from cchc.portal.search import search_articles

        registry.register_search("portal.articles", _("Tin tức"), search_articles)
        registry.register_nav("portal:article-list", _("Tin tức"), order=10)
        registry.register_nav("portal:schedule", _("Lịch tiếp công dân"), order=40)
        registry.register_nav("portal:science-list", _("Thông tin KH&CN"), order=50)
        registry.register_nav("portal:links", _("Liên kết"), order=85)
