"""The petition lookup: the status first, then a dated timeline naming units, never officers."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.test import override_settings

from cchc.core.roles import Role
from cchc.core.testing import PersonaTestCase, make_user
from cchc.feedback import selectors, services
from cchc.feedback.models import Petition

VN = ZoneInfo("Asia/Ho_Chi_Minh")
URL = "/pakn/tra-cuu/"


def at(d, hh=9, mm=0):
    return dt.datetime(2026, 11, d, hh, mm, tzinfo=VN)


@override_settings(SITE_AGENCY_CODE="TEST")
class PetitionLookupTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.handler = make_user(
            "handler", cls.leadership, [Role.PETITION_HANDLER], first_name="Lê", last_name="Hòa"
        )

    def setUp(self):
        cache.clear()
        self.petition = services.petition_submit(
            agency=self.agency,
            sender_name="Trần Thị Bình",
            sender_email="binh@example.vn",
            subject="Đề nghị hướng dẫn hồ sơ",
            content="Nội dung",
        )

    def dated(self, **moments):
        Petition.objects.filter(pk=self.petition.pk).update(**moments)
        self.petition.refresh_from_db()

    def page(self):
        response = self.client.get(URL, {"code": self.petition.code})
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_the_status_panel_comes_first_then_the_timeline_then_the_answer(self):
        services.petition_accept(actor=self.handler, petition=self.petition, unit=self.unit_a)
        services.petition_answer(actor=self.handler, petition=self.petition, answer="Đã hướng dẫn")
        self.dated(received_at=at(13, 8), triaged_at=at(13, 10, 15), answered_at=at(16, 14))
        page = self.page()
        order = [
            page.index(mark)
            for mark in ('id="status-panel"', 'id="lookup-timeline"', 'id="answer"')
        ]
        self.assertEqual(order, sorted(order))
        panel = page.split('id="status-panel"', 1)[1].split("</section>", 1)[0]
        self.assertIn("Đã có trả lời", panel)
        self.assertIn("Việc bạn cần làm", panel)
        timeline = page.split('id="lookup-timeline"', 1)[1].split("</ol>", 1)[0]
        entries = timeline.split("<li>")[1:]
        self.assertEqual(len(entries), 3)
        self.assertIn("13/11/2026 08:00", entries[0])
        self.assertIn("13/11/2026 10:15", entries[1])
        self.assertIn("Phòng A", entries[1])
        self.assertIn("16/11/2026 14:00", entries[2])
        for private in ("Lê", "Hòa", "handler", "Trần Thị Bình"):
            self.assertNotIn(private, page)

    def test_an_open_petition_shows_its_due_date_and_whether_it_is_late(self):
        self.dated(due_at=at(27, 17))
        self.assertIn("27/11/2026", self.page().split('id="lookup-due"', 1)[1][:200])
        self.assertEqual(selectors.lookup_panel(self.petition, now=at(20))["timeliness"], "ok")
        self.assertEqual(selectors.lookup_panel(self.petition, now=at(30))["timeliness"], "late")

    def test_a_refusal_states_its_reason_in_the_panel(self):
        services.petition_refuse(
            actor=self.handler, petition=self.petition, reason="Nội dung đã được trả lời trước đó"
        )
        panel = self.page().split('id="status-panel"', 1)[1].split("</section>", 1)[0]
        self.assertIn("Không được xem xét, xử lý", panel)
        self.assertIn("Nội dung đã được trả lời trước đó", panel)

    def test_unknown_or_malformed_codes_are_explained_and_linked_to_the_field(self):
        for code in ("PAKN-000000-0001-AAAA", "", "x" * 300, "PAKN\x00"):
            response = self.client.get(URL, {"code": code})
            self.assertEqual(response.status_code, 200, code)
            self.assertContains(response, "Không tra cứu được phản ánh, kiến nghị")
            self.assertContains(response, '<a href="#id_code">')
            self.assertNotContains(response, 'id="status-panel"')
