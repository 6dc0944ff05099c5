import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile

from cchc.core.roles import Role
from cchc.core.testing import PersonaTestCase, make_user
from cchc.dossiers.services import Applicant
from cchc.procedures.models import Component, Procedure, ProcedureStep

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def at(y, m, d, hh=9, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=VN)


def pdf_upload(name="don.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def make_procedure(
    *, time="5", unit="working_days", online="partial", steps=(), components=("Đơn đề nghị",)
) -> Procedure:
    procedure = Procedure.objects.create(
        code="2.002248",
        name="Cấp Giấy chứng nhận đăng ký chuyển giao công nghệ",
        field="Chuyển giao công nghệ",
        time=Decimal(time) if time is not None else None,
        time_unit=unit if time is not None else "",
        online_form=online,
    )
    for i, name in enumerate(components, start=1):
        Component.objects.create(procedure=procedure, order=i, name=name)
    for i, (name, days, unit_obj, *role) in enumerate(steps, start=1):
        ProcedureStep.objects.create(
            procedure=procedure,
            order=i,
            name=name,
            working_days=Decimal(days),
            unit=unit_obj,
            role=role[0] if role else "",
        )
    return procedure


APPLICANT = Applicant(
    kind="person",
    name="Nguyễn Văn An",
    id_number="001203004567",
    phone="0912345678",
    address="Việt Trì, Phú Thọ",
    email="an@example.vn",
)


class DeskTestCase(PersonaTestCase):
    """Personas plus a one-stop officer and a procedure with three steps: the desk's, then
    unit A's, then the decision at the leadership (any officer of the unit may act)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.desk = make_user("desk", cls.leadership, [Role.ONE_STOP_OFFICER])
        cls.procedure = make_procedure(
            steps=[
                ("Tiếp nhận, chuyển hồ sơ", "0.5", cls.leadership, Role.ONE_STOP_OFFICER),
                ("Thẩm định", "3", cls.unit_a),
                ("Ký duyệt", "1.5", cls.leadership),
            ]
        )

    def decide(self, dossier, at_=None, *, actor=None, result_text="x", **kwargs):
        """Through the internal steps, each by its people, then the decision at the last."""
        from cchc.dossiers import services

        dossier.refresh_from_db()
        for person in (self.desk, self.officer_a)[dossier.current_step.order - 1 :]:
            dossier = services.dossier_hand_over(actor=person, dossier=dossier, at=at_)
        return services.dossier_decide(
            actor=actor or self.agency_leader,
            dossier=dossier,
            result_text=result_text,
            at=at_,
            **kwargs,
        )

    def file_online(self, at_=None, **kwargs):
        from cchc.dossiers.services import dossier_file_online

        component = self.procedure.components.first()
        return dossier_file_online(
            procedure=self.procedure,
            applicant=kwargs.pop("applicant", APPLICANT),
            files={f"component_{component.pk}": pdf_upload()},
            agency=self.agency,
            at=at_,
            **kwargs,
        )


def xlsx_rows(content: bytes):
    from openpyxl import load_workbook

    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
