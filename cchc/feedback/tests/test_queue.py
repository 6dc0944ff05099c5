"""The petition staff queue's filters and pages (django-filter): a bad value is a 400 page with
a Vietnamese message, never a 500 or a silently different list."""

import html

from cchc.core.roles import Role
from cchc.core.testing import PersonaTestCase, make_user
from cchc.feedback import services
from cchc.feedback.models import Petition

URL = "/pakn/xu-ly/"


class StaffQueueFilterTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.handler = make_user("handler", cls.leadership, [Role.PETITION_HANDLER])
        cls.petitions = [
            services.petition_submit(
                agency=cls.agency,
                sender_name="Trần Thị Bình",
                sender_email="binh@example.vn",
                subject=f"Đề nghị số {i}",
                content="Nội dung",
            )
            for i in range(32)
        ]
        cls.accepted = cls.petitions[0]
        services.petition_accept(actor=cls.handler, petition=cls.accepted, unit=cls.unit_a)

    def setUp(self):
        self.client.force_login(self.handler)

    def get(self, **params):
        return self.client.get(URL, params)

    def test_the_status_filter_lists_only_that_status(self):
        response = self.get(status="accepted")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, self.accepted.code)
        self.assertNotContains(response, self.petitions[1].code)
        self.assertContains(response, '<option value="accepted" selected>', html=False)

    def test_a_bad_status_is_a_400_with_a_message(self):
        for value in ("closed", "ACCEPTED", "1"):
            response = self.get(status=value)
            self.assertEqual(response.status_code, 400, value)
            self.assertContains(response, "Trạng thái không hợp lệ.", status_code=400)
            self.assertNotContains(response, self.accepted.code, status_code=400)

    def test_a_bad_page_is_a_400_with_a_message(self):
        for value, message in (
            ("abc", "Số trang không hợp lệ."),
            ("0", "Số trang không hợp lệ."),
            ("-1", "Số trang không hợp lệ."),
            ("²", "Số trang không hợp lệ."),
            ("", "Số trang không hợp lệ."),
            ("3", "Không có trang này."),
            ("99999999999999999999", "Không có trang này."),
        ):
            response = self.get(page=value)
            self.assertEqual(response.status_code, 400, value)
            self.assertContains(response, message, status_code=400)

    def test_page_links_keep_the_status_filter(self):
        response = self.get(status="received")
        self.assertEqual(response.status_code, 200)
        self.assertIn("?status=received&page=2", html.unescape(response.content.decode()))
        second = self.get(status="received", page="2")
        self.assertEqual(second.status_code, 200)
        self.assertEqual(len(second.context["page"].object_list), 1)
        self.assertNotContains(second, self.accepted.code)
        self.assertTrue(
            all(p.status == Petition.Status.RECEIVED for p in second.context["page"].object_list)
        )
