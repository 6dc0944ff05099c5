import threading

from django.db import connection
from django.test import TransactionTestCase

from cchc.core.models import Unit
from cchc.core.roles import Role
from cchc.core.testing import make_agency, make_user
from cchc.dossiers import services
from cchc.dossiers.models import Dossier
from cchc.dossiers.tests.helpers import APPLICANT, at, make_procedure


class CodeCounterTests(TransactionTestCase):
    def setUp(self):
        self.agency = make_agency("SKHCN")
        unit = Unit.objects.create(agency=self.agency, code="VP", name="Văn phòng")
        self.desk = make_user("desk", unit, [Role.ONE_STOP_OFFICER])
        self.procedure = make_procedure(components=())

    def test_codes_are_gapless_per_agency_and_day(self):
        first, _ = services.dossier_receive_paper(
            actor=self.desk, procedure=self.procedure, applicant=APPLICANT, at=at(2026, 3, 2, 9)
        )
        second, _ = services.dossier_receive_paper(
            actor=self.desk, procedure=self.procedure, applicant=APPLICANT, at=at(2026, 3, 2, 10)
        )
        next_day, _ = services.dossier_receive_paper(
            actor=self.desk, procedure=self.procedure, applicant=APPLICANT, at=at(2026, 3, 3, 9)
        )
        self.assertEqual(
            [first.code, second.code, next_day.code],
            ["SKHCN-260302-0001", "SKHCN-260302-0002", "SKHCN-260303-0001"],
        )

    def test_concurrent_receptions_get_unique_gapless_codes(self):
        threads, errors = 12, []
        per_thread = 4
        barrier = threading.Barrier(threads)

        def work():
            try:
                barrier.wait(timeout=10)
                for _ in range(per_thread):
                    services.dossier_receive_paper(
                        actor=self.desk,
                        procedure=self.procedure,
                        applicant=APPLICANT,
                        at=at(2026, 3, 2, 9),
                    )
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(repr(error))
            finally:
                connection.close()

        pool = [threading.Thread(target=work) for _ in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join(timeout=60)
        self.assertEqual(errors, [])
        codes = sorted(Dossier.objects.values_list("code", flat=True))
        expected = [f"SKHCN-260302-{n:04d}" for n in range(1, threads * per_thread + 1)]
        self.assertEqual(codes, expected)
