"""The national stand-in served on a free port for a test class, and the settings that point
the adapter at it."""

import datetime as dt

from django.test import override_settings

from cchc.dossiers import services as dossier_services
from cchc.dossiers.tests.helpers import APPLICANT, DeskTestCase, at, pdf_upload
from cchc.nationalportal import adapter, standin

PUBLIC_BASE = "https://cchc.example.gov.vn"
UNIT_CODE = "000.00.00.H99"


USERNAME, PASSWORD = "cchc", "mat-khau"


def link_settings(url: str, **extra) -> override_settings:
    """The link switched on and pointed at a stand-in served at `url` (`standin.serve(...,
    username=USERNAME, password=PASSWORD)`), with `extra` settings beside it."""
    return override_settings(
        DVCQG_ENABLED=True,
        DVCQG_ADAPTER_URL=url,
        DVCQG_USERNAME=USERNAME,
        DVCQG_PASSWORD=PASSWORD,
        **extra,
    )


class StandInTestCase(DeskTestCase):
    """Personas, the desk's three-step procedure, and the stand-in at `self.national`."""

    @classmethod
    def setUpClass(cls):
        cls.running = standin.serve(mounts={}, username=USERNAME, password=PASSWORD)
        cls.national = cls.running.standin
        cls._link = link_settings(
            cls.running.url,
            DVCQG_DSTCODE="TEST",
            DVCQG_TIMEOUT=2,
            DVCQG_BACKOFF_SECONDS=60,
            DVCQG_MAX_ATTEMPTS=3,
            DVCQG_LEASE_SECONDS=300,
            SITE_URL=PUBLIC_BASE,
        )
        cls._link.enable()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls._link.disable()
        cls.running.stop()

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.agency.national_code = UNIT_CODE
        cls.agency.save()

    def setUp(self):
        super().setUp()
        self.national.reset()
        adapter.forget_session()

    def receive(self, when=None, **applicant):
        component = self.procedure.components.first()
        import dataclasses

        dossier, _secret = dossier_services.dossier_receive_paper(
            actor=self.desk,
            procedure=self.procedure,
            applicant=dataclasses.replace(APPLICANT, **applicant),
            files={f"component_{component.pk}": pdf_upload()},
            at=when or at(2026, 3, 2, 9),
        )
        return dossier


def later(moment: dt.datetime, **delta) -> dt.datetime:
    return moment + dt.timedelta(**delta)
