"""Demo catalogue: the reference file, with components and internal steps for a few procedures."""

from pathlib import Path

from cchc.core.demo import reference_file
from cchc.core.models import Unit
from cchc.procedures.models import Component, Procedure, ProcedureStep
from cchc.procedures.services import procedures_import

# The starting catalogue of a provincial Department of S&T (codes, legal times and fees from the
# cited legal texts where filled; blanks are unknown, not zero).
CATALOGUE = Path(__file__).resolve().parent / "data" / "procedures-sokhcn.csv"

# code -> (components, steps: (name, working days, unit code, role))
WORKFLOWS = {
    "2.002248": (
        [
            "Văn bản đề nghị đăng ký chuyển giao công nghệ",
            "Hợp đồng chuyển giao công nghệ",
            "Bản sao giấy chứng nhận đăng ký doanh nghiệp",
        ],
        [
            ("Tiếp nhận, chuyển hồ sơ", "0.5", "VP", "one_stop_officer"),
            ("Thẩm định hồ sơ", "3", "QLCN", "specialist"),
            ("Xem xét, trình ký", "0.5", "QLCN", "unit_leader"),
            ("Ký giấy chứng nhận", "0.5", "BGD", "agency_leader"),
            ("Vào sổ, trả kết quả", "0.5", "VP", "one_stop_officer"),
        ],
    ),
    "1.014438": (
        [
            "Văn bản đề nghị công nhận",
            "Đề án hoạt động của trung tâm",
            "Tài liệu chứng minh cơ sở vật chất",
        ],
        [
            ("Tiếp nhận, chuyển hồ sơ", "0.5", "VP", "one_stop_officer"),
            ("Thẩm định, lấy ý kiến", "11", "QLKH", "specialist"),
            ("Xem xét, trình ký", "1.5", "QLKH", "unit_leader"),
            ("Ký quyết định", "1.5", "BGD", "agency_leader"),
            ("Trả kết quả", "0.5", "VP", "one_stop_officer"),
        ],
    ),
    "2.001209": (
        ["Bản công bố hợp chuẩn", "Bản sao giấy chứng nhận hợp chuẩn"],
        [
            ("Tiếp nhận, chuyển hồ sơ", "0.5", "VP", "one_stop_officer"),
            ("Kiểm tra hồ sơ", "3", "TDC", "specialist"),
            ("Ký thông báo", "1", "TDC", "unit_leader"),
            ("Trả kết quả", "0.5", "VP", "one_stop_officer"),
        ],
    ),
    "2.002380": (
        [
            "Đơn đề nghị cấp giấy phép",
            "Phiếu khai báo thiết bị X-quang",
            "Báo cáo đánh giá an toàn",
        ],
        [
            ("Tiếp nhận, chuyển hồ sơ", "0.5", "VP", "one_stop_officer"),
            ("Thẩm định, kiểm tra thực tế", "15", "QLCN", "specialist"),
            ("Xem xét, trình ký", "2", "QLCN", "unit_leader"),
            ("Ký giấy phép", "2", "BGD", "agency_leader"),
            ("Trả kết quả", "0.5", "VP", "one_stop_officer"),
        ],
    ),
}


def load(stdout=None) -> dict:
    report = procedures_import(path=reference_file(CATALOGUE))
    units = {u.code: u for u in Unit.objects.filter(agency__code="SKHCN")}
    for code, (components, steps) in WORKFLOWS.items():
        procedure = Procedure.objects.current().filter(code=code).first()
        if procedure is None or procedure.steps.exists():
            continue
        Component.objects.bulk_create(
            Component(procedure=procedure, order=i, name=name)
            for i, name in enumerate(components, start=1)
        )
        ProcedureStep.objects.bulk_create(
            ProcedureStep(
                procedure=procedure,
                order=i,
                name=name,
                working_days=days,
                unit=units.get(unit),
                role=role,
            )
            for i, (name, days, unit, role) in enumerate(steps, start=1)
        )
    return {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "errors": len(report.errors),
    }
