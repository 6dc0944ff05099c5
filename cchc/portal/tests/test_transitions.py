"""The articles' and comments' transitions are declared once (issue 12, point 1): the same table
gives the buttons of the staff pages, the one dispatch of the pages and the services' checks."""

import dataclasses
from unittest import mock

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import override_settings

from cchc.core.models import AuditEntry
from cchc.core.roles import Role
from cchc.core.testing import PersonaTestCase, make_user
from cchc.core.transitions import TransitionError
from cchc.portal import services
from cchc.portal.models import Article, Comment
from cchc.portal.tests import factories as f

REFUSED = "Tạm ngừng duyệt đăng trong đợt kiểm tra."


@override_settings(SITE_AGENCY_CODE="TEST")
class ArticleFlowTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.make_other_agency_personas()
        cls.editor = make_user("editor", cls.unit_a, [Role.EDITOR])
        cls.other_leader = make_user("other_leader", cls.other_unit, [Role.AGENCY_LEADER])
        cls.category = f.category()

    def setUp(self):
        cache.clear()
        self.article = f.article(self.category, "Tin chờ duyệt", status="in_review")

    def review(self, user):
        self.client.force_login(user)
        return self.client.get(f"/quan-ly/tin-tuc/{self.article.pk}/").content.decode()

    def action_url(self, slug):
        return f"/quan-ly/tin-tuc/{self.article.pk}/{slug}/"

    def test_the_buttons_are_the_declared_transitions_the_person_may_take(self):
        leader = self.review(self.agency_leader)
        self.assertIn(self.action_url("approve"), leader)
        self.assertIn(self.action_url("return"), leader)
        self.assertNotIn(self.action_url("submit"), leader)
        self.assertIn(str(services.ARTICLE_FLOW["approve"].label), leader)
        editor = self.review(self.editor)
        self.assertNotIn(self.action_url("approve"), editor)
        self.assertNotIn(self.action_url("submit"), editor)  # already sent for approval

    def test_a_transition_refused_in_the_table_loses_its_button_and_the_service_refuses_it(self):
        flow = services.ARTICLE_FLOW
        refused = dataclasses.replace(flow["approve"], who=lambda actor, article: REFUSED)
        with mock.patch.dict(flow.transitions, {"approve": refused}):
            self.assertNotIn(self.action_url("approve"), self.review(self.agency_leader))
            self.assertIn(self.action_url("return"), self.review(self.agency_leader))
            with self.assertRaisesMessage(PermissionDenied, REFUSED):
                services.article_approve(actor=self.agency_leader, article=self.article)
            response = self.client.post(self.action_url("approve"), {"publish_at": ""})
            self.assertContains(response, REFUSED, status_code=403)
        self.article.refresh_from_db()
        self.assertEqual(self.article.status, Article.Status.IN_REVIEW)

    def test_a_leader_of_another_agency_is_refused_with_the_reason(self):
        kind, reason = services.ARTICLE_FLOW.refusal("approve", self.other_leader, self.article)
        self.assertEqual(kind, "who")
        self.assertIn("cơ quan khác", reason)
        self.assertEqual(services.ARTICLE_FLOW.available(self.other_leader, self.article), [])
        with self.assertRaisesMessage(PermissionDenied, reason):
            services.article_approve(actor=self.other_leader, article=self.article)
        # The same role in this agency may.
        self.assertIsNone(
            services.ARTICLE_FLOW.refusal("approve", self.agency_leader, self.article)
        )

    def test_a_refused_page_action_answers_403_with_the_reason(self):
        self.client.force_login(self.editor)
        response = self.client.post(self.action_url("return"), {"reason": "Sai số liệu"})
        self.assertContains(response, "Chỉ lãnh đạo", status_code=403)
        self.article.refresh_from_db()
        self.assertEqual(self.article.status, Article.Status.IN_REVIEW)

    def test_a_wrong_state_is_a_conflict_and_changes_nothing(self):
        services.article_approve(actor=self.agency_leader, article=self.article)
        with self.assertRaises(TransitionError):
            services.article_submit(actor=self.editor, article=self.article)
        self.client.force_login(self.agency_leader)
        response = self.client.post(self.action_url("approve"), {"publish_at": ""})
        self.assertContains(response, "Không thể “Duyệt đăng”", status_code=409)
        self.assertEqual(
            AuditEntry.objects.filter(object_id=str(self.article.pk), action="approve").count(), 1
        )

    def test_bad_input_is_a_form_error_on_the_page(self):
        self.client.force_login(self.agency_leader)
        response = self.client.post(self.action_url("return"), {"reason": ""})
        self.assertContains(response, "Vui lòng sửa các lỗi", status_code=400)
        self.article.refresh_from_db()
        self.assertEqual(self.article.status, Article.Status.IN_REVIEW)


@override_settings(SITE_AGENCY_CODE="TEST")
class CommentFlowTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.make_other_agency_personas()
        cls.editor = make_user("editor", cls.unit_a, [Role.EDITOR])
        article = f.article(f.category(), "Tin có ý kiến")
        cls.comment = Comment.objects.create(
            article=article, name="Bạn đọc", email="a@example.vn", text="Ý kiến"
        )

    def setUp(self):
        cache.clear()

    def test_the_queue_buttons_are_the_declared_moderations(self):
        self.client.force_login(self.editor)
        html = self.client.get("/quan-ly/y-kien/").content.decode()
        for transition in services.COMMENT_FLOW:
            self.assertIn(f'value="{transition.slug}"', html)
            self.assertIn(str(transition.label), html)

    def test_a_moderated_comment_cannot_be_rejected_twice_and_others_are_refused(self):
        services.comment_reject(actor=self.editor, comment=self.comment)
        with self.assertRaises(TransitionError):
            services.comment_reject(actor=self.editor, comment=self.comment)
        self.client.force_login(self.editor)
        response = self.client.post(
            "/quan-ly/y-kien/", {"comment": self.comment.pk, "decision": "reject"}
        )
        self.assertEqual(response.status_code, 409)
        with self.assertRaisesMessage(PermissionDenied, "cơ quan khác"):
            services.comment_publish(actor=self.outsider_editor, comment=self.comment)
        self.comment.refresh_from_db()
        self.assertEqual(self.comment.status, Comment.Status.REJECTED)
