"""The sync log of a dossier (for those who see the dossier) and the failures page with
"Gửi lại" (for the agency's system administrators only; another agency's admin gets 404)."""

import datetime as dt

import time_machine
from django.core import signing

from cchc.core.roles import Role
from cchc.core.testing import make_user
from cchc.dossiers import services as ds
from cchc.dossiers.tests.helpers import at
from cchc.nationalportal import payload, services
from cchc.nationalportal.models import OutboxMessage
from cchc.nationalportal.tests.helpers import StandInTestCase


class PageTests(StandInTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.make_other_agency_personas()
        cls.admin = make_user("quantri", cls.leadership, [Role.SYSTEM_ADMIN])

    def setUp(self):
        super().setUp()
        self.dossier = self.receive(at(2026, 3, 2, 9))
        ds.dossier_hand_over(actor=self.desk, dossier=self.dossier, at=at(2026, 3, 2, 10))
        self.national.add_fault("DongBoHoSoMC", times=1, mode="error")
        services.sync_pass(now=at(2026, 3, 2, 11))
        self.failed = OutboxMessage.objects.get(dossier=self.dossier, state="failed")

    def test_the_dossier_page_links_to_its_sync_log_which_shows_calls_and_errors(self):
        self.login_as("agency_leader")
        detail = self.client.get(f"/ho-so/{self.dossier.code}/")
        log_url = f"/lien-thong-dvcqg/ho-so/{self.dossier.code}/nhat-ky/"
        self.assertContains(detail, log_url)
        page = self.client.get(log_url)
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "TraCuuHoSo")
        self.assertContains(page, "lỗi giả lập của trạm thử")
        self.assertEqual(len(page.context["calls"]), 2)
        for persona in ("outsider_chief", "outsider", "citizen", "anonymous"):
            with self.subTest(persona=persona):
                self.login_as(persona)
                self.assertEqual(self.client.get(log_url).status_code, 404)

    def test_only_this_agencys_system_admin_sees_the_failures_and_may_retry(self):
        self.client.force_login(self.admin)
        page = self.client.get("/lien-thong-dvcqg/loi-dong-bo/")
        self.assertEqual(page.status_code, 200)
        self.assertEqual([m.pk for m in page.context["rows"]], [self.failed.pk])
        self.assertContains(page, "Gửi lại")
        retry = f"/lien-thong-dvcqg/loi-dong-bo/{self.failed.pk}/gui-lai/"
        for persona in ("outsider_chief", "agency_leader", "officer_a", "citizen", "anonymous"):
            with self.subTest(persona=persona):
                self.login_as(persona)
                page = self.client.get("/lien-thong-dvcqg/loi-dong-bo/")
                if persona == "outsider_chief":  # an admin of another agency: their own, empty
                    self.assertEqual(list(page.context["rows"]), [])
                    self.assertNotContains(page, self.dossier.code)
                else:
                    self.assertEqual(page.status_code, 404)
                self.assertEqual(self.client.post(retry).status_code, 404)
                self.failed.refresh_from_db()
                self.assertEqual((self.failed.state, self.failed.attempts), ("failed", 1))
        self.client.force_login(self.admin)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(retry)
        self.assertRedirects(
            response, "/lien-thong-dvcqg/loi-dong-bo/", fetch_redirect_response=False
        )
        self.failed.refresh_from_db()
        # The retry ran the worker (immediate task backend): sent now.
        self.assertEqual(self.failed.state, "sent")
        record = self.national.dossier(payload.national_dossier_code(self.dossier))
        self.assertEqual(len(record["steps"]), 2)
        # Retrying what is no longer failed is refused with a message, nothing changes.
        self.assertEqual(self.client.post(retry).status_code, 404)

    def test_the_admin_of_another_agency_does_not_see_ours(self):
        other_admin = make_user("quantri_khac", self.other_unit, [Role.SYSTEM_ADMIN])
        self.client.force_login(other_admin)
        page = self.client.get("/lien-thong-dvcqg/loi-dong-bo/")
        self.assertEqual(page.status_code, 200)
        self.assertEqual(list(page.context["rows"]), [])
        self.assertEqual(
            self.client.post(
                f"/lien-thong-dvcqg/loi-dong-bo/{self.failed.pk}/gui-lai/"
            ).status_code,
            404,
        )

    def test_a_file_link_is_refused_when_tampered_with_or_expired(self):
        item = self.dossier.files.first()
        token = payload.file_token(item.pk)
        self.client.logout()
        self.assertEqual(self.client.get(f"/lien-thong-dvcqg/tep/{token}/").status_code, 200)
        self.assertEqual(self.client.get(f"/lien-thong-dvcqg/tep/{token}x/").status_code, 404)
        forged = signing.dumps({"f": item.pk}, salt="another", compress=True)
        self.assertEqual(self.client.get(f"/lien-thong-dvcqg/tep/{forged}/").status_code, 404)
        with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=31)):
            self.assertEqual(self.client.get(f"/lien-thong-dvcqg/tep/{token}/").status_code, 404)
