"""Demo catalogue: the reference file, with components and internal steps (units and roles of
the demo agency) for every procedure that takes dossiers."""

import json
from pathlib import Path

from cchc.core.demo import reference_file
from cchc.core.models import Agency, Unit
from cchc.procedures.models import (
    Component,
    FieldMapping,
    NationalProcedure,
    Procedure,
    ProcedureMapping,
    ProcedureStep,
)
from cchc.procedures.national_services import (
    field_map_national,
    national_catalogue_import,
    procedure_map_national,
)
from cchc.procedures.services import procedures_import

# The starting catalogue of a provincial Department of S&T (codes, legal times and fees from the
# cited legal texts where filled; blanks are unknown, not zero).
CATALOGUE = Path(__file__).resolve().parent / "data" / "procedures-sokhcn.csv"

DESK, SPECIALIST, LEADER, HEAD = (
    "one_stop_officer",
    "specialist",
    "unit_leader",
    "agency_leader",
)
DECISION, OPTIONAL = "decision", "optional"


def _licence(unit, study_days, review_days, sign_days, sign="Ký giấy chứng nhận"):
    """The usual path of a licence: the desk, the unit's specialist and leader, the director
    signs (the decision), the desk returns the result."""
    return [
        ("Tiếp nhận, chuyển hồ sơ", "0.5", "VP", DESK),
        ("Thẩm định hồ sơ", study_days, unit, SPECIALIST),
        ("Xem xét, trình ký", review_days, unit, LEADER),
        (sign, sign_days, "BGD", HEAD, DECISION),
        ("Vào sổ, trả kết quả", "0.5", "VP", DESK),
    ]


def _notice(study_days, sign_days):
    """A notice signed by the head of the Sub-department (TDC) on the Department's behalf."""
    return [
        ("Tiếp nhận, chuyển hồ sơ", "0.5", "VP", DESK),
        ("Kiểm tra hồ sơ", study_days, "TDC", SPECIALIST),
        ("Ký thông báo tiếp nhận", sign_days, "TDC", LEADER, DECISION),
        ("Trả kết quả", "0.5", "VP", DESK),
    ]


# The demo's national catalogue (LayThuTuc records, codes made up in the real format) and the
# demo agencies' MaDinhDanhDonVi (illustrative, in the 000.00.XX.HYY shape).
NATIONAL_CATALOGUE = Path(__file__).resolve().parent / "data" / "national-catalogue-demo.json"
NATIONAL_UNIT_CODES = {"SKHCN": "000.00.21.H45", "SKHCNTQ": "000.00.21.H60"}
# The demo procedures without a local code -> their national record.
NATIONAL_BY_NAME = {
    "Gia hạn, sửa đổi, bổ sung, cấp lại giấy phép sử dụng": "1.004520.000.00.00.H45",
    "Cấp chứng chỉ nhân viên bức xạ": "2.002385.000.00.00.H45",
    "Đăng ký công bố hợp chuẩn dựa trên kết quả tự đánh giá": "2.001210.000.00.00.H45",
    "Tiếp nhận hồ sơ công bố hợp quy": "1.000470.000.00.00.H45",
}


# code, or the start of the name for procedures without a national code ->
# (components, steps: (name, working days, unit code, role[, "decision" | "optional"]))
WORKFLOWS = {
    "2.002248": (
        [
            "Văn bản đề nghị đăng ký chuyển giao công nghệ",
            "Hợp đồng chuyển giao công nghệ",
            "Bản sao giấy chứng nhận đăng ký doanh nghiệp",
        ],
        _licence("QLCN", "3", "0.5", "0.5"),
    ),
    "2.002249": (
        [
            "Văn bản đề nghị gia hạn, sửa đổi, bổ sung",
            "Hợp đồng sửa đổi, bổ sung",
            "Bản chính Giấy chứng nhận đã cấp",
        ],
        _licence("QLCN", "3", "0.5", "0.5"),
    ),
    "2.002380": (
        [
            "Đơn đề nghị cấp giấy phép",
            "Phiếu khai báo thiết bị X-quang",
            "Báo cáo đánh giá an toàn",
        ],
        _licence("QLCN", "15", "2", "2", sign="Ký giấy phép"),
    ),
    "Gia hạn, sửa đổi, bổ sung, cấp lại giấy phép sử dụng thiết bị X-quang": (
        ["Đơn đề nghị", "Bản sao giấy phép đã cấp", "Báo cáo đánh giá an toàn cập nhật"],
        _licence("QLCN", "6", "1.5", "1.5", sign="Ký giấy phép"),
    ),
    "Cấp chứng chỉ nhân viên bức xạ": (
        ["Đơn đề nghị cấp chứng chỉ", "Bản sao văn bằng, chứng chỉ đào tạo an toàn bức xạ"],
        _licence("QLCN", "6", "1.5", "1.5", sign="Ký chứng chỉ"),
    ),
    "2.001209": (
        ["Bản công bố hợp chuẩn", "Bản sao giấy chứng nhận hợp chuẩn"],
        _notice("3", "1"),
    ),
    "Đăng ký công bố hợp chuẩn dựa trên kết quả tự đánh giá": (
        ["Bản công bố hợp chuẩn", "Báo cáo tự đánh giá"],
        _notice("3", "1"),
    ),
    "Tiếp nhận hồ sơ công bố hợp quy": (
        ["Bản công bố hợp quy", "Bản sao giấy chứng nhận hợp quy hoặc báo cáo tự đánh giá"],
        _notice("3", "1"),
    ),
    "1.014438": (
        [
            "Văn bản đề nghị công nhận",
            "Đề án hoạt động của trung tâm",
            "Tài liệu chứng minh cơ sở vật chất",
        ],
        [
            ("Tiếp nhận, chuyển hồ sơ", "0.5", "VP", DESK),
            ("Thẩm định hồ sơ", "8", "QLKH", SPECIALIST),
            ("Lấy ý kiến chuyên gia (khi cần)", "3", "QLKH", SPECIALIST, OPTIONAL),
            ("Xem xét, trình ký", "1.5", "QLKH", LEADER),
            ("Ký quyết định công nhận", "1.5", "BGD", HEAD, DECISION),
            ("Trả kết quả", "0.5", "VP", DESK),
        ],
    ),
}


def _procedure(key: str):
    current = Procedure.objects.current()
    if key[:1].isdigit():
        return current.filter(code=key).first()
    return current.filter(name__startswith=key).first()


def load(stdout=None) -> dict:
    report = procedures_import(path=reference_file(CATALOGUE))
    units = {u.code: u for u in Unit.objects.filter(agency__code="SKHCN")}
    for key, (components, steps) in WORKFLOWS.items():
        procedure = _procedure(key)
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
                is_decision=DECISION in flags,
                optional=OPTIONAL in flags,
            )
            for i, (name, days, unit, role, *flags) in enumerate(steps, start=1)
        )
    mapped = _load_national()
    return {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "errors": len(report.errors),
        "national_mapped": mapped,
    }


def _national_record(procedure: Procedure) -> NationalProcedure | None:
    if procedure.code:
        return NationalProcedure.objects.filter(code__startswith=f"{procedure.code}.").first()
    for start, code in NATIONAL_BY_NAME.items():
        if procedure.name.startswith(start):
            return NationalProcedure.objects.filter(code=code).first()
    return None


def _load_national() -> int:
    """Import the demo national catalogue and map every demo procedure and field to it (the
    system as actor); the demo agencies get their national unit codes."""
    reply = json.loads(reference_file(NATIONAL_CATALOGUE).read_text(encoding="utf-8"))
    national_catalogue_import(reply=reply)
    for code, national_code in NATIONAL_UNIT_CODES.items():
        Agency.objects.filter(code=code, national_code="").update(national_code=national_code)
    mapped_series = set(ProcedureMapping.objects.values_list("series", flat=True))
    count = 0
    for procedure in Procedure.objects.current():
        national = _national_record(procedure)
        if national is None:
            continue
        count += 1
        if procedure.series not in mapped_series:
            procedure_map_national(procedure=procedure, national=national)
        if national.field_code and not FieldMapping.objects.filter(field=procedure.field).exists():
            field_map_national(
                field=procedure.field,
                national_code=national.field_code,
                national_name=national.field_name,
            )
    return count
