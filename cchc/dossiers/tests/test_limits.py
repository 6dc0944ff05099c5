"""Public limits of the one-stop desk hold under concurrent requests and count every lookup."""

import threading

from django.core.cache import cache
from django.test import Client, TransactionTestCase, override_settings

from cchc.core.testing import make_agency
from cchc.dossiers.models import Dossier
from cchc.dossiers.tests.helpers import make_procedure, pdf_upload

LIMIT = 3
CONCURRENT = 8


@override_settings(
    SITE_AGENCY_CODE="TEST",
    RATE_LIMIT_SCALE=1,
    RATE_LIMITS={"dossier-file": f"{LIMIT}/h", "filing-mail": "100/h"},
)
class ConcurrentFilingTests(TransactionTestCase):
    def setUp(self):
        cache.clear()
        make_agency()
        self.procedure = make_procedure()
        self.component = self.procedure.components.get()

    def tearDown(self):
        cache.clear()

    def file_at_once(self, url: str) -> list[int]:
        barrier = threading.Barrier(CONCURRENT)
        statuses = []

        def one():
            from django.db import connection

            data = {
                "procedure": self.procedure.pk,
                "applicant_kind": "person",
                "name": "Trần Thị Bình",
                "id_number": "001203004567",
                "phone": "0912345678",
                "address": "Phú Thọ",
                f"component_{self.component.pk}": pdf_upload(),
            }
            client = Client()
            barrier.wait()
            try:
                statuses.append(client.post(url, data).status_code)
            finally:
                connection.close()

        threads = [threading.Thread(target=one) for _ in range(CONCURRENT)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sorted(statuses)

    def test_concurrent_filings_through_the_api_stop_exactly_at_the_limit(self):
        statuses = self.file_at_once("/api/v1/dossiers/")
        self.assertEqual(statuses, [201] * LIMIT + [429] * (CONCURRENT - LIMIT))
        self.assertEqual(Dossier.objects.count(), LIMIT)

    def test_concurrent_filings_through_the_page_stop_exactly_at_the_limit(self):
        statuses = self.file_at_once(f"/ho-so/nop/{self.procedure.pk}/")
        self.assertEqual(statuses, [302] * LIMIT + [429] * (CONCURRENT - LIMIT))
        self.assertEqual(Dossier.objects.count(), LIMIT)
