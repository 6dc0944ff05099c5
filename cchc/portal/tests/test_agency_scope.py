"""The portal's staff reads and writes are scoped to the person's agency (issue 11, point 3.1).

The news, comments and S&T results are the portal's, and the portal is the site agency's
(settings.SITE_AGENCY_CODE): an editor or a leader of another agency, with the same role, may
neither see nor change them, through the pages or the services. Reception schedule entries and
the register belong to the agency that keeps them.
"""

import datetime as dt

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from cchc.core.models import AuditEntry, User
from cchc.core.roles import Role
from cchc.core.testing import PersonaTestCase, make_user
from cchc.portal import services
from cchc.portal.models import (
    Article,
    Comment,
    ReceptionSession,
    ReceptionVisit,
    ScienceTask,
    ScienceTaskFile,
)
from cchc.portal.tests import factories as f


@override_settings(SITE_AGENCY_CODE="TEST")
class OtherAgencyNewsTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.make_other_agency_personas()
        cls.other_editor = cls.outsider_editor
        cls.other_unit_leader = cls.outsider_leader
        cls.other_leader = make_user("other_leader", cls.other_unit, [Role.AGENCY_LEADER])
        cls.other_admin = cls.outsider_chief  # every agency-wide role, system admin included
        cls.category = f.category()
        cls.draft = f.article(cls.category, "Bài nháp của Sở", status="draft")
        cls.in_review = f.article(cls.category, "Bài chờ duyệt của Sở", status="in_review")
        cls.published = f.article(cls.category, "Bài đã đăng của Sở")
        cls.comment = Comment.objects.create(
            article=cls.published, name="Bạn đọc", email="a@b.vn", text="Ý kiến chờ duyệt"
        )
        cls.task = ScienceTask.objects.create(
            code="DT.09-25",
            name="Nhiệm vụ của Sở",
            level="province",
            lead_organisation="Viện",
            principal_investigator="TS. A",
            start_date=dt.date(2025, 1, 1),
            end_date=dt.date(2026, 12, 31),
            status="accepted",
        )

    def setUp(self):
        cache.clear()

    def state(self):
        return (
            list(Article.objects.order_by("pk").values_list("title", "status", "published_at")),
            list(Comment.objects.values_list("status", flat=True)),
            ScienceTaskFile.objects.count(),
            AuditEntry.objects.count(),
        )

    def test_an_editor_or_leader_of_another_agency_gets_404_on_every_news_page(self):
        pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
        before = self.state()
        for user in (
            self.other_editor,
            self.other_leader,
            self.other_unit_leader,
            self.other_admin,
        ):
            self.client.force_login(user)
            for url in (
                "/quan-ly/tin-tuc/",
                "/quan-ly/tin-tuc/moi/",
                f"/quan-ly/tin-tuc/{self.draft.pk}/",
                f"/quan-ly/tin-tuc/{self.draft.pk}/sua/",
                "/quan-ly/y-kien/",
            ):
                self.assertEqual(self.client.get(url).status_code, 404, (user, url))
            posts = {
                f"/quan-ly/tin-tuc/{self.draft.pk}/sua/": {
                    "title": "Bị sửa",
                    "category": self.category.pk,
                    "body": "<p>x</p>",
                },
                "/quan-ly/tin-tuc/moi/": {
                    "title": "Bài lạ",
                    "category": self.category.pk,
                    "body": "<p>x</p>",
                },
                f"/quan-ly/tin-tuc/{self.draft.pk}/submit/": {},
                f"/quan-ly/tin-tuc/{self.in_review.pk}/approve/": {"publish_at": ""},
                f"/quan-ly/tin-tuc/{self.draft.pk}/approve/": {"publish_at": "2030-01-01T08:00"},
                f"/quan-ly/tin-tuc/{self.published.pk}/return/": {"reason": "Gỡ"},
                "/quan-ly/y-kien/": {"comment": self.comment.pk, "decision": "publish"},
            }
            for url, data in posts.items():
                self.assertEqual(self.client.post(url, data).status_code, 404, (user, url))
            upload = SimpleUploadedFile("kq.pdf", pdf, content_type="application/pdf")
            response = self.client.post(
                f"/quan-ly/nhiem-vu-khcn/{self.task.code}/tep/", {"file": upload}
            )
            self.assertEqual(response.status_code, 404, user)
        self.assertEqual(self.state(), before)

    def test_the_services_refuse_an_actor_of_another_agency(self):
        before = self.state()
        with self.assertRaises(PermissionError):
            services.article_save(
                actor=self.other_editor, article=self.draft, title="Bị sửa", category=self.category
            )
        with self.assertRaises(PermissionError):
            services.article_save(actor=self.other_editor, title="Bài lạ", category=self.category)
        # The declared transitions (ARTICLE_FLOW, COMMENT_FLOW) refuse with PermissionDenied.
        with self.assertRaises(PermissionDenied):
            services.article_submit(actor=self.other_editor, article=self.draft)
        for leader in (self.other_leader, self.other_unit_leader):
            with self.assertRaises(PermissionDenied):
                services.article_approve(actor=leader, article=self.in_review)
            with self.assertRaises(PermissionDenied):
                services.article_return(actor=leader, article=self.published, reason="Gỡ")
        for actor in (self.other_editor, self.other_leader):
            with self.assertRaises(PermissionDenied):
                services.comment_moderate(actor=actor, comment=self.comment, publish=True)
        upload = SimpleUploadedFile("kq.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        with self.assertRaises(PermissionError):
            services.science_file_attach(actor=self.other_editor, task=self.task, upload=upload)
        self.assertEqual(self.state(), before)

    def test_the_same_roles_of_this_agency_still_may(self):
        services.article_submit(actor=self.editor, article=self.draft)
        services.article_approve(actor=self.leader_a, article=self.in_review)
        services.comment_moderate(actor=self.editor, comment=self.comment, publish=True)
        self.client.force_login(self.editor)
        self.assertContains(self.client.get("/quan-ly/tin-tuc/"), "Bài nháp của Sở")

    def test_reception_entries_and_visits_belong_to_the_agency_that_keeps_them(self):
        entry, _warning = services.reception_session_save(
            actor=self.editor,
            agency=self.agency,
            date=dt.date(2030, 1, 7),
            session="morning",
            leader="Giám đốc",
            place="Trụ sở",
        )
        # Another agency's editor may not write into this agency's schedule, nor take an entry.
        with self.assertRaises(PermissionError):
            services.reception_session_save(
                actor=self.other_editor,
                agency=self.agency,
                date=dt.date(2030, 1, 8),
                session="morning",
                leader="X",
                place="Y",
            )
        with self.assertRaises(PermissionError):
            services.reception_session_save(
                actor=self.other_editor,
                agency=self.other_agency,
                date=dt.date(2030, 1, 8),
                session="morning",
                leader="X",
                place="Y",
                entry=entry,
            )
        # The register: only its keepers (leaders, petition handlers) of the same agency.
        with self.assertRaises(PermissionError):
            services.reception_visit_record(
                actor=self.other_leader,
                agency=self.agency,
                date=dt.date(2026, 1, 5),
                name="B",
                content="C",
            )
        with self.assertRaises(PermissionError):
            services.reception_visit_record(
                actor=self.officer_a,
                agency=self.agency,
                date=dt.date(2026, 1, 5),
                name="B",
                content="C",
            )
        self.assertEqual(
            list(ReceptionSession.objects.values_list("agency", "leader")),
            [(self.agency.pk, "Giám đốc")],
        )
        self.assertFalse(ReceptionVisit.objects.exists())
        # Their own staff pages show only their own agency's entries.
        self.client.force_login(self.other_editor)
        self.assertNotContains(self.client.get("/quan-ly/lich-tiep/"), "Giám đốc")


@override_settings(SITE_AGENCY_CODE="TEST")
class StaffMenuScopeTests(PersonaTestCase):
    """The main menu shows a portal staff entry only to people who may use it: the same role in
    another agency gets a 404 there, so it gets no link either."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.make_other_agency_personas()
        cls.other_leader = make_user("other_leader", cls.other_unit, [Role.AGENCY_LEADER])
        cls.root = User.objects.create_superuser("root", "root@example.vn", "x")  # no unit

    def menu(self, user) -> str:
        self.client.force_login(user)
        response = self.client.get("/tu-viet-tat/")
        self.assertEqual(response.status_code, 200)
        return str(response.context["main_nav_html"])

    def test_our_editor_sees_duyet_tin_the_other_agencys_editor_does_not(self):
        self.assertIn("Duyệt tin", self.menu(self.editor))
        self.assertEqual(self.client.get("/quan-ly/tin-tuc/").status_code, 200)
        self.assertNotIn("Duyệt tin", self.menu(self.outsider_editor))
        self.assertEqual(self.client.get("/quan-ly/tin-tuc/").status_code, 404)

    def test_every_shown_staff_entry_opens_for_the_person(self):
        """For each persona, every menu link answers 200 (no link to a 404 page)."""
        import re

        people = [
            self.editor,
            self.outsider_editor,
            self.agency_leader,
            self.other_leader,
            self.outsider_chief,
            self.officer_a,
            self.root,
            self.citizen,
        ]
        for user in people:
            links = re.findall(r'href="([^"]+)"', self.menu(user))
            for link in links:
                status = self.client.get(link).status_code
                self.assertEqual(status, 200, (user.username, link))
