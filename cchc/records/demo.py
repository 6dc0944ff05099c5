"""Demo data of PAR fields 4-7 for the demo department (SKHCN), 2025 and 2026 (2026: months 1
to 11): records that differ per unit (one unit over its staffing quota, different e-mail
coverage and electronic-document shares), plausible for a provincial S&T department (e-mail
boxes for nearly every civil servant, over 80% of documents electronic). A little data for the
second agency (SKHCNTQ). Idempotent: every record is found by its unique key."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from cchc.core.models import Agency, Unit
from cchc.records import models as m

YEARS = (2025, 2026)

# unit: staffing quota, headcount, deputies, e-mail share, e-document share, signed share,
# documents sent a month (the centre is a public service unit, the others are offices)
PROFILE = {
    "VP": (12, 11, 2, 1.00, 0.93, 0.96, 70),
    "KHTC": (8, 8, 1, 1.00, 0.90, 0.92, 45),
    "QLKH": (9, 8, 2, 1.00, 0.88, 0.90, 40),
    "QLCN": (9, 10, 2, 0.90, 0.84, 0.85, 38),  # over its quota in 2026
    "TDC": (15, 14, 2, 0.93, 0.81, 0.80, 35),
    "TTRA": (7, 6, 1, 1.00, 0.86, 0.88, 20),
    "TTUD": (20, 18, 2, 0.83, 0.74, 0.70, 25),
}
SERVICE_UNITS = {"TTUD": {2025: "3", 2026: "3"}}
TRAININGS = [
    ("Bồi dưỡng kỹ năng chuyển đổi số cho CCVC", 16),
    ("Bồi dưỡng nghiệp vụ cải cách hành chính", 8),
]


def _staffing(agency, units, today):
    for code, unit in units.items():
        quota, headcount, deputies, *_rest = PROFILE[code]
        for year in YEARS:
            # 2025: everyone within quota; QLCN took one more person in 2026
            staff = headcount if year == 2026 else min(headcount, quota)
            m.UnitStaffing.objects.update_or_create(
                agency=agency,
                unit=unit,
                year=year,
                defaults={
                    "functions_decision": f"{10 + unit.order}/QĐ-SKHCN",
                    "functions_decided_on": dt.date(2024, 2, 1 + unit.order),
                    "staffing_quota": quota,
                    "headcount": staff,
                    "deputy_heads": deputies,
                },
            )


def _digital(agency, units, today, *, growth=0.01):
    for code, unit in units.items():
        _q, headcount, _d, email, edoc, signed, sent = PROFILE[code]
        for year in YEARS:
            for month in range(1, 13):
                if dt.date(year, month, 1) >= today.replace(day=1):
                    break  # only months that have ended (on 3/12/2026: up to November)
                step = (month - 1 + (12 if year == 2026 else 0)) * growth
                share = min(0.99, edoc - 0.1 + step)  # rising over the months
                out_total = sent + (month * 3) % 7
                in_total = sent + 10 + (month * 5) % 9
                out_e = round(out_total * share)
                # e-mail boxes grow slowly: the offices reach 100%, the others stay below
                with_email = min(headcount, round(headcount * min(1.0, email - 0.05 + step / 4)))
                m.DigitalMonth.objects.update_or_create(
                    agency=agency,
                    unit=unit,
                    month=dt.date(year, month, 1),
                    defaults={
                        "staff_total": headcount,
                        "staff_with_email": with_email,
                        "docs_out_electronic": out_e,
                        "docs_out_paper": out_total - out_e,
                        "docs_in_electronic": round(in_total * share),
                        "docs_in_paper": in_total - round(in_total * share),
                        "docs_signed_digitally": round(out_e * min(1.0, signed - 0.1 + step)),
                        "dossiers_reusing_data": (unit.order * 3 + month) % 11,
                    },
                )


def _civil_service(agency, units, today):
    m.JobPositionPlan.objects.update_or_create(
        agency=agency,
        year=2025,
        defaults={
            "decision": "1523/QĐ-UBND",
            "approved_on": dt.date(2025, 4, 18),
            "positions": 46,
        },
    )
    rounds = [
        (2025, "recruitment", "Tuyển dụng công chức năm 2025", dt.date(2025, 9, 20), 4, 3),
        (
            2025,
            "promotion",
            "Thi nâng ngạch chuyên viên chính năm 2025",
            dt.date(2025, 11, 8),
            3,
            3,
        ),
        (
            2026,
            "recruitment",
            "Tuyển dụng viên chức Trung tâm năm 2026",
            dt.date(2026, 8, 15),
            3,
            2,
        ),
        (2026, "promotion", "Xét nâng ngạch chuyên viên năm 2026", dt.date(2026, 10, 10), 2, 2),
    ]
    for year, kind, title, held_on, positions, selected in rounds:
        if held_on > today:
            continue
        m.StaffRound.objects.update_or_create(
            agency=agency,
            year=year,
            kind=kind,
            title=title,
            defaults={"held_on": held_on, "positions": positions, "selected": selected},
        )
    for code, unit in units.items():
        headcount = PROFILE[code][1]
        for year in YEARS:
            for index, (title, hours) in enumerate(TRAININGS):
                # the offices train nearly everyone; the centre about half
                share = (0.45 if code == "TTUD" else 0.62 - 0.05 * (unit.order % 3)) / (index + 1)
                m.TrainingCourse.objects.update_or_create(
                    agency=agency,
                    unit=unit,
                    year=year,
                    title=title,
                    defaults={"attendees": max(1, round(headcount * share)), "hours": hours},
                )
        # the 2025 appraisal (2026 is appraised in December)
        excellent = max(1, headcount // 7)
        not_completed = 1 if code in ("TDC", "TTUD") else 0
        good = headcount - excellent - not_completed - (unit.order % 3)
        m.AppraisalResult.objects.update_or_create(
            agency=agency,
            unit=unit,
            year=2025,
            defaults={
                "excellent": excellent,
                "good": good,
                "completed": unit.order % 3,
                "not_completed": not_completed,
            },
        )
        for year, month in ((2025, 6), (2025, 12), (2026, 6)):
            checked = PROFILE[code][1]
            if dt.date(year, month, 10 + unit.order) > today:
                continue
            m.WorkingHoursInspection.objects.update_or_create(
                agency=agency,
                unit=unit,
                inspected_on=dt.date(year, month, 10 + unit.order),
                defaults={"people_checked": checked, "violations": 1 if code == "TDC" else 0},
            )
    if "TDC" in units and today >= dt.date(2025, 12, 22):
        m.DisciplinaryCase.objects.update_or_create(
            agency=agency,
            unit=units["TDC"],
            decided_on=dt.date(2025, 12, 22),
            form="reprimand",
            defaults={"summary": "Vi phạm quy định về thời giờ làm việc nhiều lần trong năm"},
        )


def _organisation(agency, units, today):
    decisions = [
        (
            "45/QĐ-SKHCN",
            dt.date(2025, 3, 12),
            "QLCN",
            "Kiện toàn cơ cấu tổ chức Phòng Quản lý công nghệ",
        ),
        (
            "112/QĐ-SKHCN",
            dt.date(2026, 7, 1),
            "TTUD",
            "Sắp xếp lại các phòng chuyên môn của Trung tâm",
        ),
    ]
    for number, decided_on, code, summary in decisions:
        if decided_on > today:
            continue
        m.Reorganisation.objects.update_or_create(
            agency=agency,
            decision=number,
            defaults={"decided_on": decided_on, "unit": units.get(code), "summary": summary},
        )


def _finance(agency, units, today):
    money = {2025: (12_500_000_000, 11_900_000_000), 2026: (14_000_000_000, 10_360_000_000)}
    for year in YEARS:
        planned, disbursed = money[year]
        m.FinanceYear.objects.update_or_create(
            agency=agency,
            year=year,
            defaults={
                "spending_regulation": f"{8 + year - 2025}/QĐ-SKHCN",
                "spending_regulation_issued_on": _past(dt.date(year, 1, 20), today),
                "investment_planned": Decimal(planned),
                "investment_disbursed": Decimal(disbursed),
                "asset_inventory_done": year == 2025,
                "budget_settlement_due": _past(dt.date(year, 3, 31), today),
                "budget_settlement_published_on": _past(dt.date(year, 3, 25), today),
            },
        )
    for code, levels in SERVICE_UNITS.items():
        if code in units:
            for year, level in levels.items():
                m.ServiceUnitAutonomy.objects.update_or_create(
                    agency=agency, unit=units[code], year=year, defaults={"level": level}
                )
    events = [
        (
            dt.date(2025, 10, 14),
            "audit",
            "Kiểm tra, đánh giá an toàn thông tin hệ thống một cửa điện tử",
            True,
        ),
        (
            dt.date(2026, 4, 3),
            "incident",
            "Phát hiện thư điện tử giả mạo gửi tới hòm thư công vụ",
            True,
        ),
        (
            dt.date(2026, 9, 22),
            "audit",
            "Đánh giá an toàn thông tin cấp độ 2 Cổng thông tin điện tử",
            False,
        ),
    ]
    for occurred_on, kind, summary, resolved in events:
        if occurred_on > today:
            continue
        m.SecurityEvent.objects.update_or_create(
            agency=agency,
            occurred_on=occurred_on,
            kind=kind,
            summary=summary,
            defaults={"resolved": resolved},
        )


def _past(day: dt.date, today: dt.date):
    return day if day <= today else None


def load(stdout=None) -> dict:
    from cchc.parindex.demo import UNIT_CODES

    agency = Agency.objects.filter(code="SKHCN").first()
    if agency is None:
        return {"records": 0}
    units = {u.code: u for u in Unit.objects.filter(agency=agency, code__in=UNIT_CODES)}
    # Nothing that has happened is dated after today (core's demo clock test loads it at
    # moments early in 2026): on the product's reference day, 3/12/2026, 2026 runs to November.
    today = timezone.localdate()
    _staffing(agency, units, today)
    _digital(agency, units, today)
    _civil_service(agency, units, today)
    _organisation(agency, units, today)
    _finance(agency, units, today)
    other = Agency.objects.filter(code="SKHCNTQ").first()
    if other is not None:
        # the second agency: two units' staffing and monthly figures (cross-agency checks)
        theirs = {u.code: u for u in Unit.objects.filter(agency=other, code__in=["VP", "QLCN"])}
        _staffing(other, theirs, today)
        _digital(other, theirs, today, growth=0.0)
    counts = {
        kind.__name__: kind.objects.filter(agency=agency).count()
        for kind in (m.UnitStaffing, m.DigitalMonth, m.TrainingCourse, m.AppraisalResult)
    }
    return {"records": sum(counts.values()), **counts}
