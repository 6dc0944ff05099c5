"""Demo data: reform plans (this year with tasks in every status, last year nearly done),
internal regulations, legal and procedure reviews, and the ISO 9001 systems the demo agency
advises on across its province. Idempotent."""

import csv
import datetime as dt

from django.utils import timezone

from cchc.core.demo import reference_file
from cchc.core.models import Agency, Unit
from cchc.plans.models import (
    LegalReview,
    Plan,
    PlanTask,
    ProcedureReview,
    QualityRecord,
    Regulation,
    TaskNote,
)
from cchc.procedures.demo import CATALOGUE

# field, content, lead, co-operating, (month, day) deadline, output
TASKS = [
    ("1", "Ban hành Kế hoạch CCHC năm {y} của Sở", "VP", [], (1, 15), "Kế hoạch được ban hành"),
    ("1", "Tuyên truyền CCHC trên Cổng thông tin điện tử", "VP", ["TTUD"], (6, 30), "Tin bài"),
    (
        "1",
        "Kiểm tra công tác CCHC tại các đơn vị trực thuộc",
        "VP",
        ["TTRA"],
        (9, 30),
        "Báo cáo kiểm tra",
    ),
    ("1", "Báo cáo kết quả CCHC năm {y}", "VP", [], (12, 15), "Báo cáo năm"),
    (
        "2",
        "Rà soát, hệ thống hóa văn bản QPPL lĩnh vực KH&CN",
        "TTRA",
        ["QLKH", "QLCN"],
        (3, 31),
        "Danh mục văn bản",
    ),
    (
        "2",
        "Tham mưu ban hành quy định quản lý nhiệm vụ KH&CN cấp tỉnh",
        "QLKH",
        ["KHTC"],
        (8, 31),
        "Dự thảo quyết định",
    ),
    (
        "3",
        "Rà soát, đơn giản hóa TTHC thuộc thẩm quyền của Sở",
        "VP",
        ["QLCN", "TDC"],
        (5, 31),
        "Phương án đơn giản hóa",
    ),
    (
        "3",
        "Công khai TTHC tại Bộ phận một cửa và trên Cổng",
        "VP",
        [],
        (2, 28),
        "TTHC được công khai",
    ),
    ("3", "Số hóa hồ sơ, kết quả giải quyết TTHC", "VP", ["TTUD"], (11, 30), "Tỷ lệ số hóa 100%"),
    (
        "4",
        "Rà soát chức năng, nhiệm vụ các phòng, đơn vị",
        "VP",
        ["BGD"],
        (4, 30),
        "Quyết định kiện toàn",
    ),
    ("5", "Xây dựng đề án vị trí việc làm", "VP", [], (10, 31), "Đề án"),
    ("5", "Đánh giá, xếp loại công chức, viên chức", "VP", [], (12, 20), "Kết quả đánh giá"),
    ("6", "Xây dựng Quy chế chi tiêu nội bộ", "KHTC", [], (2, 15), "Quy chế được ban hành"),
    ("6", "Công khai dự toán, quyết toán ngân sách", "KHTC", [], (7, 31), "Thông báo công khai"),
    (
        "7",
        "Duy trì hệ thống quản lý chất lượng TCVN ISO 9001:2015",
        "TDC",
        ["VP"],
        (6, 15),
        "Báo cáo đánh giá nội bộ",
    ),
    (
        "7",
        "Cung cấp dịch vụ công trực tuyến toàn trình",
        "VP",
        ["TTUD"],
        (9, 15),
        "DVCTT toàn trình",
    ),
    ("7", "Ứng dụng chữ ký số trong xử lý văn bản", "TTUD", ["VP"], (12, 31), "100% văn bản ký số"),
]

PROVINCE_BODIES = [
    "Văn phòng UBND tỉnh",
    "Sở Nội vụ",
    "Sở Tài chính",
    "Sở Tư pháp",
    "Sở Công Thương",
    "Sở Xây dựng",
    "Sở Nông nghiệp và Môi trường",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Dân tộc và Tôn giáo",
    "Thanh tra tỉnh",
    "Sở Khoa học và Công nghệ",
    "Sở Ngoại vụ",
    "Ban Quản lý các khu công nghiệp",
]
DEPARTMENT_UNITS = [
    "Chi cục Tiêu chuẩn Đo lường Chất lượng",
    "Chi cục Văn thư - Lưu trữ",
    "Chi cục Thủy lợi",
    "Chi cục Kiểm lâm",
    "Chi cục Chăn nuôi và Thú y",
    "Chi cục Trồng trọt và Bảo vệ thực vật",
    "Chi cục Dân số",
    "Chi cục An toàn vệ sinh thực phẩm",
    "Chi cục Quản lý đất đai",
    "Chi cục Phát triển nông thôn",
]
DISTRICTS = [
    "Việt Trì",
    "Phú Thọ",
    "Lâm Thao",
    "Phù Ninh",
    "Thanh Ba",
    "Hạ Hòa",
    "Đoan Hùng",
    "Cẩm Khê",
    "Yên Lập",
    "Tam Nông",
    "Thanh Thủy",
    "Thanh Sơn",
    "Tân Sơn",
]
CERTIFIERS = ["Trung tâm Chứng nhận Phù hợp (QUACERT)", "Tự công bố theo Quyết định 19/2014/QĐ-TTg"]

LEGAL = [
    ("Quyết định", "15/2019/QĐ-UBND", "Quy định quản lý nhiệm vụ KH&CN cấp tỉnh", "amend"),
    ("Quyết định", "22/2018/QĐ-UBND", "Quy chế xét tặng giải thưởng sáng tạo KH&CN", "amend"),
    ("Quyết định", "08/2020/QĐ-UBND", "Quy định về quản lý an toàn bức xạ", "amend"),
    ("Quyết định", "31/2016/QĐ-UBND", "Quy định chức năng, nhiệm vụ của Sở KH&CN", "repeal"),
    ("Quyết định", "12/2021/QĐ-UBND", "Quy chế quản lý hoạt động sở hữu trí tuệ", "keep"),
    ("Quyết định", "05/2022/QĐ-UBND", "Quy định hỗ trợ doanh nghiệp đổi mới công nghệ", "keep"),
    ("Nghị quyết", "10/2020/NQ-HĐND", "Chính sách hỗ trợ phát triển KH&CN", "replace"),
    ("Quyết định", "", "Quy định quản lý tài sản hình thành từ nhiệm vụ KH&CN", "propose_new"),
    ("Quyết định", "", "Quy định về đo lường đối với phương tiện đo nhóm 2", "propose_new"),
    ("Quyết định", "", "Quy chế quản lý Quỹ phát triển KH&CN tỉnh", "propose_new"),
    ("Quyết định", "", "Quy định xác định nhiệm vụ KH&CN đặt hàng", "propose_new"),
]

REGULATIONS = [
    ("working_rules", "125/QĐ-SKHCN", "Quy chế làm việc của Sở Khoa học và Công nghệ", (1, 10)),
    ("spending_rules", "126/QĐ-SKHCN", "Quy chế chi tiêu nội bộ", (1, 12)),
    (
        "quality_objectives",
        "127/QĐ-SKHCN",
        "Chính sách và mục tiêu chất lượng theo TCVN ISO 9001:2015",
        (1, 15),
    ),
    ("democracy", "128/QĐ-SKHCN", "Quy chế thực hiện dân chủ trong hoạt động của cơ quan", (2, 1)),
    ("asset_rules", "129/QĐ-SKHCN", "Quy chế quản lý, sử dụng tài sản công", (3, 1)),
]


def _procedure_names() -> list[tuple[str, str]]:
    with open(reference_file(CATALOGUE), encoding="utf-8", newline="") as handle:
        return [(row["code"], row["name"]) for row in csv.DictReader(handle)]


def _plan(agency, year, units, today, *, all_done: bool) -> Plan:
    plan, _created = Plan.objects.update_or_create(
        agency=agency,
        year=year,
        defaults={
            "title": f"Kế hoạch cải cách hành chính năm {year}",
            "decision": f"Quyết định số 12/QĐ-SKHCN ngày 08/01/{year}",
        },
    )
    for order, (field, content, lead, co, (month, day), output) in enumerate(TASKS, start=1):
        if all_done:
            deadline = dt.date(year, month, day)
        else:
            # This year's deadlines are spread around today, so that whatever the date the
            # demo shows tasks done, overdue, in progress and not started.
            deadline = today + dt.timedelta(days=(order - 9) * 12)
        if deadline < today:
            # Most tasks finish on time and every fifth late; this year two stay open (overdue).
            if not all_done and order == 5:
                status, completed, progress = PlanTask.Status.IN_PROGRESS, None, 60
            elif not all_done and order == 7:
                status, completed, progress = PlanTask.Status.NOT_STARTED, None, 0
            else:
                late = order % 5 == 0
                completed = min(deadline + dt.timedelta(days=5 if late else -3), today)
                status, progress = PlanTask.Status.DONE, 100
        else:
            soon = (deadline - today).days <= 36
            status = PlanTask.Status.IN_PROGRESS if soon else PlanTask.Status.NOT_STARTED
            completed, progress = None, (40 if soon else 0)
        task, _created = PlanTask.objects.update_or_create(
            plan=plan,
            order=order,
            defaults={
                "field": field,
                "content": content.format(y=year),
                "lead_unit": units[lead],
                "deadline": deadline,
                "expected_output": output,
                "status": status,
                "progress": progress,
                "completed_on": completed,
            },
        )
        task.co_units.set([units[c] for c in co])
        if progress and not task.notes.exists():
            TaskNote.objects.create(
                task=task,
                on=min(today, deadline) - dt.timedelta(days=10),
                text="Đã triển khai, đang tổng hợp kết quả.",
                progress=progress,
            )
    return plan


def load(stdout=None) -> dict:
    agency = Agency.objects.get(code="SKHCN")
    units = {u.code: u for u in Unit.objects.filter(agency=agency)}
    today = timezone.localdate()
    this_year, last_year = today.year, today.year - 1
    _plan(agency, last_year, units, today, all_done=True)
    plan = _plan(agency, this_year, units, today, all_done=False)

    for kind, number, title, (month, day) in REGULATIONS:
        Regulation.objects.update_or_create(
            agency=agency,
            number=number,
            defaults={
                "kind": kind,
                "title": title,
                "issued_on": dt.date(last_year, month, day),
                "valid_from": dt.date(last_year, month, day),
            },
        )

    for year in (last_year, this_year):
        for doc_type, number, title, result in LEGAL[: (len(LEGAL) if year == last_year else 5)]:
            LegalReview.objects.update_or_create(
                agency=agency,
                review_year=year,
                title=title,
                defaults={
                    "doc_type": doc_type,
                    "doc_number": number,
                    "issuer": "UBND tỉnh Phú Thọ" if "QĐ" in number or not number else "HĐND tỉnh",
                    "result": result,
                    "follow_up": "none" if result == "keep" else "proposed",
                    "in_force": result != "repeal",
                },
            )

    # Last year's counts follow the seed article: abolish 2, simplify 23, publish 5.
    procedures = _procedure_names()
    plan_counts = [("abolish", 2), ("simplify", 23), ("publish", 5)]
    position = 0
    for proposal, count in plan_counts:
        for _i in range(count):
            code, name = procedures[position % len(procedures)]
            position += 1
            ProcedureReview.objects.update_or_create(
                agency=agency,
                review_year=last_year,
                procedure_name=name,
                proposal=proposal,
                defaults={"procedure_code": code, "status": "accepted"},
            )

    bodies = (
        [(name, "provincial_department") for name in PROVINCE_BODIES]
        + [(name, "department_unit") for name in DEPARTMENT_UNITS]
        + [
            (f"UBND {'thành phố' if d == 'Việt Trì' else 'huyện'} {d}", "district_body")
            for d in DISTRICTS
        ]
        + [(f"Văn phòng HĐND và UBND {d}", "district_body") for d in DISTRICTS[:8]]
    )
    for index, (name, body_type) in enumerate(bodies):
        certified = dt.date(last_year - 2 - index % 3, 1 + index % 12, 10)
        expires = certified.replace(year=certified.year + 3)
        building = index % 17 == 16  # no certification yet: no dates
        QualityRecord.objects.update_or_create(
            agency=agency,
            body_name=name,
            defaults={
                "body_type": body_type,
                "standard": "2008" if index % 9 == 8 else "2015",
                "certifier": CERTIFIERS[index % 2],
                "certified_on": None if building else certified,
                "surveillance_on": None if building else certified.replace(year=certified.year + 1),
                "expires_on": None if building else expires,
                "scope": "Toàn bộ thủ tục hành chính và hoạt động quản lý nội bộ",
            },
        )
    return {
        "plans": 2,
        "tasks": plan.tasks.count(),
        "legal_reviews": LegalReview.objects.filter(agency=agency).count(),
        "procedure_reviews": ProcedureReview.objects.filter(agency=agency).count(),
        "quality_records": QualityRecord.objects.filter(agency=agency).count(),
    }
