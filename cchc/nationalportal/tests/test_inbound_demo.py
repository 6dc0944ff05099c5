"""A dossier pushed by the national portal waits in the demo desk's reception queue."""

import time_machine
from django.test import override_settings

from cchc.core.models import Agency
from cchc.core.testing import PersonaTestCase
from cchc.dossiers import services
from cchc.dossiers.models import Dossier, Status
from cchc.dossiers.tests.demo_desk import demo_user, load_demo_catalogue, workable_procedures
from cchc.dossiers.tests.helpers import at
from cchc.nationalportal.tests.inbound_helpers import (
    AGENCY_NATIONAL_CODE,
    SECRET,
    map_procedure,
    payload,
    signed_post,
)

NOW = at(2026, 3, 2, 9)


@override_settings(DVCQG_INBOUND_SECRET=SECRET)
@time_machine.travel(NOW, tick=False)
class DemoDeskQueueTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        load_demo_catalogue()
        Agency.objects.filter(code="SKHCN").update(national_code=AGENCY_NATIONAL_CODE)
        cls.procedure = workable_procedures()[0]
        map_procedure(cls.procedure, at=NOW)

    def test_the_demo_desk_sees_the_pushed_dossier_among_the_new_ones_and_accepts_it(self):
        response = signed_post(self.client, payload())
        self.assertEqual(response.status_code, 200, response.content)
        code = response.json()["result"]["MaHoSoDonVi"]
        self.assertTrue(code.startswith("SKHCN-260302-"), code)

        self.client.force_login(demo_user("motcua"))
        queue = self.client.get("/ho-so/", {"loc": "new"})
        self.assertContains(queue, code)
        self.assertContains(queue, "Trần Thị Bình")
        detail = self.client.get(f"/ho-so/{code}/")
        self.assertContains(detail, "Nộp hồ sơ trực tuyến")

        dossier = services.dossier_accept(
            actor=demo_user("motcua"), dossier=Dossier.objects.get(code=code), at=NOW
        )
        self.assertEqual(dossier.status, Status.RECEIVED)
        self.assertNotContains(self.client.get("/ho-so/", {"loc": "new"}), code)
