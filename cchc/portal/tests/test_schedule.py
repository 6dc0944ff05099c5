import datetime as dt

from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from cchc.core.roles import Role
from cchc.core.testing import PersonaTestCase, make_user
from cchc.core.workcalendar import add_working_days
from cchc.portal import services
from cchc.portal.models import ReceptionSession, ReceptionVisit


@override_settings(SITE_AGENCY_CODE="TEST")
class ScheduleTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.editor = make_user("editor", cls.unit_a, [Role.EDITOR])

    def setUp(self):
        cache.clear()

    def _post(self, date):
        self.client.force_login(self.editor)
        return self.client.post(
            "/quan-ly/lich-tiep/",
            {
                "date": date.isoformat(),
                "session": "morning",
                "leader": "Giám đốc Sở",
                "place": "Phòng tiếp công dân",
                "content": "Tiếp công dân định kỳ",
            },
            follow=True,
        )

    def test_an_entry_fewer_than_five_working_days_ahead_is_saved_with_a_warning(self):
        response = self._post(timezone.localdate() + dt.timedelta(days=1))
        self.assertContains(response, "chưa đủ 5 ngày làm việc")
        self.assertEqual(ReceptionSession.objects.count(), 1)

    def test_an_entry_well_ahead_is_saved_without_warning(self):
        later = add_working_days(timezone.now(), 7).due.date()
        response = self._post(later)
        self.assertNotContains(response, "chưa đủ 5 ngày làm việc")
        self.assertEqual(services.reception_notice_warning(later), "")

    def test_the_public_page_shows_the_coming_weeks(self):
        today = timezone.localdate()
        ReceptionSession.objects.create(
            agency=self.agency, date=today + dt.timedelta(days=8), session="morning",
            leader="Phó Giám đốc", place="Trụ sở",
        )  # fmt: skip
        ReceptionSession.objects.create(
            agency=self.agency, date=today + dt.timedelta(days=60), session="morning",
            leader="Quá xa", place="Trụ sở",
        )  # fmt: skip
        response = self.client.get("/lich-tiep-cong-dan/")
        self.assertContains(response, "Phó Giám đốc")
        self.assertNotContains(response, "Quá xa")

    def test_the_reception_register_is_for_staff_only(self):
        for name in ("officer_a", "citizen", "outsider"):
            self.login_as(name)
            self.assertEqual(self.client.get("/quan-ly/so-tiep-cong-dan/").status_code, 404)
        self.login_as("agency_leader")
        response = self.client.post(
            "/quan-ly/so-tiep-cong-dan/",
            {"date": "2026-11-20", "name": "Lê Văn C", "content": "Hỏi về thủ tục"},
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(ReceptionVisit.objects.get().agency, self.agency)
