"""Inbound pushes over real HTTP (`push.push_dossier` against the live server) and two copies of
one dossier pushed at the same moment (SQLite file database and PostgreSQL alike)."""

import datetime as dt
import json
import threading

from django.core.files.storage import default_storage
from django.db import connection
from django.test import LiveServerTestCase, TransactionTestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from cchc.core.models import Agency
from cchc.core.testing import make_agency
from cchc.dossiers.models import DayCounter, Dossier, DossierFile, HandOver
from cchc.dossiers.tests.helpers import make_procedure
from cchc.nationalportal import inbound
from cchc.nationalportal.codes import national_time
from cchc.nationalportal.models import InboundReceipt
from cchc.nationalportal.push import push_dossier
from cchc.nationalportal.tests.inbound_helpers import (
    AGENCY_NATIONAL_CODE,
    SECRET,
    map_procedure,
    payload,
)
from cchc.nationalportal.tests.test_inbound import stored_files


def national_world():
    agency = make_agency("SKHCN")
    Agency.objects.filter(pk=agency.pk).update(national_code=AGENCY_NATIONAL_CODE)
    procedure = make_procedure()
    map_procedure(procedure, at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    return procedure


@override_settings(DVCQG_INBOUND_SECRET=SECRET)
class PushOverHttpTests(LiveServerTestCase):
    def setUp(self):
        national_world()
        self.url = self.live_server_url + reverse("api:dvcqg-inbound")

    def test_push_dossier_signs_and_the_endpoint_creates_once(self):
        first = push_dossier(self.url, SECRET, payload())
        later = national_time(timezone.now() + dt.timedelta(seconds=1))
        again = push_dossier(self.url, SECRET, payload(), timestamp=later)

        self.assertEqual(first.status_code, 200, first.text)
        code = Dossier.objects.get().code
        self.assertEqual(
            first.json()["result"],
            {
                "MaHoSo": payload()["MaHoSo"],
                "MaHoSoDonVi": code,
                "MaTraCuu": inbound.lookup_secret(payload()["MaHoSo"]),
            },
        )
        self.assertEqual(first.json()["error_code"], 0)
        self.assertEqual(again.status_code, 200, again.text)
        self.assertEqual(again.json()["error_code"], 1)
        self.assertEqual(again.json()["result"]["MaHoSoDonVi"], code)
        self.assertEqual(Dossier.objects.count(), 1)

    def test_a_push_signed_with_another_secret_is_refused(self):
        response = push_dossier(self.url, "another-secret", payload())
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["error_code"], -1)
        self.assertEqual(Dossier.objects.count(), 0)


class ConcurrentPushTests(TransactionTestCase):
    def setUp(self):
        national_world()
        self.files_before = set(stored_files())

    def test_two_copies_of_one_dossier_at_once_create_it_once(self):
        raw = json.dumps(payload(), ensure_ascii=False).encode()
        barrier = threading.Barrier(2)
        results = []

        def work():
            try:
                barrier.wait(timeout=10)
                dossier, created = inbound.receive(raw)
                results.append((dossier.code, created))
            except Exception as error:  # noqa: BLE001 - reported below
                results.append(repr(error))
            finally:
                connection.close()

        threads = [threading.Thread(target=work) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)

        dossier = Dossier.objects.get()
        self.assertEqual(sorted(results), [(dossier.code, False), (dossier.code, True)], results)
        self.assertEqual(InboundReceipt.objects.get().dossier, dossier)
        self.assertEqual(HandOver.objects.count(), 1)
        self.assertEqual(DossierFile.objects.count(), 1)
        # The loser's stored copy of the file was deleted with its rolled-back transaction.
        new_files = set(stored_files()) - self.files_before
        self.assertEqual(new_files, {DossierFile.objects.get().path})
        self.assertTrue(default_storage.exists(DossierFile.objects.get().path))
        self.assertEqual(DayCounter.objects.get().last, 1)  # the code counter has no gap
