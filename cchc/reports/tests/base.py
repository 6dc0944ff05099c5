import datetime as dt

from cchc.core.testing import PersonaTestCase
from cchc.plans.models import LegalReview, ProcedureReview, QualityRecord
from cchc.plans.tests.factories import d, make_plan, make_task
from cchc.reports import services


class ReportTestCase(PersonaTestCase):
    year = 2024

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.plan = make_plan(cls.agency, cls.year)
        make_task(
            cls.plan, cls.unit_a, deadline=d(2024, 3, 1), status="done", completed_on=d(2024, 2, 20)
        )
        make_task(
            cls.plan,
            cls.unit_a,
            deadline=d(2024, 4, 1),
            status="done",
            completed_on=d(2024, 5, 20),
            field="2",
        )
        make_task(cls.plan, cls.unit_b, deadline=d(2024, 6, 3), status="in_progress", field="3")
        make_task(cls.plan, cls.unit_b, deadline=d(2024, 12, 2), field="7")
        for result in ["amend", "amend", "propose_new"]:
            LegalReview.objects.create(
                agency=cls.agency,
                review_year=2024,
                doc_type="Quyết định",
                title="V",
                issuer="UBND",
                result=result,
            )
        for proposal in ["abolish", "simplify", "simplify", "publish"]:
            ProcedureReview.objects.create(
                agency=cls.agency, review_year=2024, procedure_name="TT", proposal=proposal
            )
        QualityRecord.objects.create(
            agency=cls.agency,
            body_name="Sở Tư pháp",
            body_type="provincial_department",
            standard="2015",
            certified_on=dt.date(2022, 1, 15),
            expires_on=dt.date(2025, 1, 15),
        )

    def snapshot(self, **extra):
        data = {
            "actor": self.agency_leader,
            "agency": self.agency,
            "year": self.year,
            "as_of": dt.date(2024, 12, 31),
            "number": 5,
            "issued_on": dt.date(2025, 1, 5),
            "signer_name": "Nguyễn Văn Ký",
            "recipients": "UBND tỉnh\nSở Nội vụ",
        }
        data.update(extra)
        return services.report_create(**data)
