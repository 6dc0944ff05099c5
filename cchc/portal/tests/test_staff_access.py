from django.core.cache import cache

from cchc.core.roles import Role
from cchc.core.testing import PersonaTestCase, make_user
from cchc.portal.tests import factories as f

STAFF_PAGES = {
    # url: personas (besides the editor) who may open it
    "/quan-ly/tin-tuc/": {"leader_a", "agency_leader"},
    "/quan-ly/tin-tuc/moi/": set(),
    "/quan-ly/y-kien/": {"leader_a", "agency_leader"},
    "/quan-ly/lich-tiep/": {"agency_leader"},
    "/quan-ly/so-tiep-cong-dan/": {"agency_leader"},
}


class StaffAccessTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.editor = make_user("editor", cls.unit_a, [Role.EDITOR])

    def setUp(self):
        cache.clear()

    def test_each_staff_page_answers_404_to_those_without_the_role(self):
        for url, allowed in STAFF_PAGES.items():
            for name in (
                "officer_a",
                "leader_a",
                "officer_b",
                "agency_leader",
                "outsider",
                "citizen",
            ):
                self.login_as(name)
                expected = 200 if name in allowed else 404
                self.assertEqual(self.client.get(url).status_code, expected, (url, name))
            self.login_as("anonymous")
            self.assertEqual(self.client.get(url).status_code, 302, url)

    def test_a_draft_review_page_is_staff_only(self):
        article = f.article(f.category(), "Nháp", status="draft")
        url = f"/quan-ly/tin-tuc/{article.pk}/"
        for name in ("officer_a", "citizen", "outsider"):
            self.login_as(name)
            self.assertEqual(self.client.get(url).status_code, 404, name)
        self.client.force_login(self.editor)
        self.assertContains(self.client.get(url), "Gửi duyệt")

    def test_the_staff_pages_are_in_the_menu_for_staff_only(self):
        menu = (
            'href="/quan-ly/tin-tuc/"',
            'href="/quan-ly/so-tiep-cong-dan/"',
            'href="/pakn/xu-ly/"',
        )
        self.client.force_login(self.editor)
        html = self.client.get("/lien-ket/").content.decode()
        for link in menu:
            self.assertIn(link, html)
        for name in ("citizen", "anonymous"):
            self.login_as(name)
            html = self.client.get("/lien-ket/").content.decode()
            for link in menu:
                self.assertNotIn(link, html, name)
