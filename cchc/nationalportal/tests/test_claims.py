"""Two workers never send the same message: a claim is a lease that a second worker cannot take,
and on PostgreSQL rows another worker has locked are skipped (select_for_update skip_locked)."""

import threading
import unittest

from django.db import connection, transaction
from django.test import TransactionTestCase, override_settings

from cchc.core.models import Unit
from cchc.core.roles import Role
from cchc.core.testing import make_agency, make_user
from cchc.dossiers.services import dossier_receive_paper
from cchc.dossiers.tests.helpers import APPLICANT, at, make_procedure
from cchc.nationalportal import services
from cchc.nationalportal.models import OutboxMessage
from cchc.nationalportal.tests.helpers import StandInTestCase, later


class LeaseTests(StandInTestCase):
    def test_a_second_claim_gets_nothing_until_the_lease_ends(self):
        dossier = self.receive(at(2026, 3, 2, 9))
        now = at(2026, 3, 2, 10)
        self.assertEqual(len(services.claim(dossier.pk, now)), 1)
        self.assertEqual(services.claim(dossier.pk, later(now, seconds=299)), [])
        self.assertEqual(services.due_dossier_ids(later(now, seconds=299)), [])
        self.assertEqual(len(services.claim(dossier.pk, later(now, seconds=301))), 1)


@unittest.skipUnless(connection.vendor == "postgresql", "row locks: PostgreSQL only")
class SkipLockedTests(TransactionTestCase):
    def test_rows_locked_by_another_worker_are_skipped(self):
        agency = make_agency()
        unit = Unit.objects.create(agency=agency, code="BGD", name="Ban Giám đốc")
        desk = make_user("desk", unit, [Role.ONE_STOP_OFFICER])
        with override_settings(DVCQG_ENABLED=True):
            dossier, _secret = dossier_receive_paper(
                actor=desk, procedure=make_procedure(), applicant=APPLICANT, at=at(2026, 3, 2, 9)
            )
        locked, release = threading.Event(), threading.Event()

        def other_worker():
            try:
                with transaction.atomic():
                    list(OutboxMessage.objects.select_for_update().filter(dossier=dossier))
                    locked.set()
                    release.wait(10)
            finally:
                connection.close()

        thread = threading.Thread(target=other_worker)
        thread.start()
        try:
            self.assertTrue(locked.wait(10))
            self.assertEqual(services.claim(dossier.pk, at(2026, 3, 2, 10)), [])
        finally:
            release.set()
            thread.join(10)
        self.assertEqual(len(services.claim(dossier.pk, at(2026, 3, 2, 10))), 1)
