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
        from cchc.portal.services import REGISTER_ROLES, may_act
        from cchc.portal.staff_views import NEWS_ROLES

        # The checks of the views (staff_views._require and _agency): news belong to the site
        # agency, the register to the person's own agency.
        registry.register_nav(
            "portal:staff-articles",
            _("Duyệt tin"),
            order=90,
            roles=NEWS_ROLES,
            check=lambda user: may_act(user, NEWS_ROLES),
        )
        registry.register_nav(
            "portal:staff-visits",
            _("Sổ tiếp công dân"),
            order=92,
            roles=REGISTER_ROLES,
            check=lambda user: (
                user.agency is not None and may_act(user, REGISTER_ROLES, user.agency)
            ),
        )
        self._forget_fragments_on_change()

    def _forget_fragments_on_change(self):
        """Edits made outside the services (admin) also refresh the cached page fragments."""
        from django.db.models import signals

        from cchc.portal import models, services

        def changed(**kwargs):
            services.content_changed()

        for model in (models.Article, models.Comment, models.Category, models.Tag):
            signals.post_save.connect(changed, sender=model, weak=False)
            signals.post_delete.connect(changed, sender=model, weak=False)
        signals.m2m_changed.connect(changed, sender=models.Article.tags.through, weak=False)
