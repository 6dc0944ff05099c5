"""The open datasets of one agency: only aggregated or already-public data, each with its
columns, counting rule and the date its data last changed (from the data, never "now")."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.core.workcalendar import local_tz

LICENSE = "https://creativecommons.org/licenses/by/4.0/"
LICENSE_NAME = "CC BY 4.0"


class ParameterError(ValueError):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: str
    description: str
    counting_rule: str
    keywords: tuple[str, ...]
    columns: tuple[tuple[str, str], ...]  # (key, Vietnamese title)
    rows: Callable  # (agency, params) -> list[dict]
    modified: Callable  # (agency) -> date | None
    parameters: dict = field(default_factory=dict)  # name -> Vietnamese help


def _day(moment) -> dt.date | None:
    if moment is None:
        return None
    if isinstance(moment, dt.datetime):
        return timezone.localtime(moment, local_tz()).date()
    return moment


def _latest(*moments) -> dt.date | None:
    days = [d for d in map(_day, moments) if d is not None]
    return max(days) if days else None


def _month(value) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value, local_tz()) if timezone.is_aware(value) else value
    return f"{value:%Y-%m}"


def year_param(params) -> int:
    text = (params.get("nam") or "").strip()
    if not text:
        return timezone.localdate().year
    if not (text.isdigit() and 2000 <= int(text) <= 2099):
        raise ParameterError("nam", str(_("Năm phải là số có 4 chữ số trong khoảng 2000-2099.")))
    return int(text)


# --- the procedure catalogue ------------------------------------------------------------------


def procedure_rows(agency, params) -> list[dict]:
    from cchc.procedures.models import Procedure

    rows = []
    for p in Procedure.objects.current().order_by("field", "name", "pk"):
        rows.append(
            {
                "code": p.code,
                "name": p.name,
                "field": p.field,
                "level": p.level,
                "legal_time": format(p.time.normalize(), "f") if p.time is not None else "",
                "time_unit": p.time_unit,
                "legal_time_text": p.time_text,
                "fee_text": p.fee_text,
                "online_level": p.online_form,
                "online_level_text": str(p.get_online_form_display()),
            }
        )
    return rows


def procedure_modified(agency) -> dt.date | None:
    from cchc.procedures.models import Procedure

    return _day(Procedure.objects.current().aggregate(last=Max("updated_at"))["last"])


# --- dossiers per month, procedure and channel --------------------------------------------------


def dossier_month_rows(agency, params) -> list[dict]:
    """Two grouped queries: receptions by the month received, decisions by the month decided."""
    from cchc.dossiers.models import Channel, Dossier

    tz = local_tz()
    keys = ("procedure__series", "procedure__code", "procedure__name", "channel", "month")
    base = Dossier.objects.filter(agency=agency)
    merged: dict = {}

    def entry(row):
        key = (row["procedure__series"], row["channel"], _month(row["month"]))
        if key not in merged:
            merged[key] = {
                "month": key[2],
                "procedure_code": row["procedure__code"],
                "procedure_name": row["procedure__name"],
                "channel": row["channel"],
                "channel_name": str(Channel(row["channel"]).label),
                "received": 0,
                "decided": 0,
                "on_time": 0,
                "late": 0,
            }
        return merged[key]

    received = (
        base.filter(received_at__isnull=False)
        .annotate(month=TruncMonth("received_at", tzinfo=tz))
        .values(*keys)
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in received:
        entry(row)["received"] += row["n"]
    decided = (
        base.filter(decided_at__isnull=False)
        .annotate(month=TruncMonth("decided_at", tzinfo=tz))
        .values(*keys)
        .annotate(
            n=Count("id"),
            ok=Count("id", filter=Q(outcome__in=["early", "on_time"])),
            late=Count("id", filter=Q(outcome="late")),
        )
        .order_by()
    )
    for row in decided:
        item = entry(row)
        item["decided"] += row["n"]
        item["on_time"] += row["ok"]
        item["late"] += row["late"]
    return sorted(
        merged.values(),
        key=lambda r: (r["month"], r["procedure_code"], r["procedure_name"], r["channel"]),
    )


def dossier_modified(agency) -> dt.date | None:
    from cchc.dossiers.models import Dossier

    row = Dossier.objects.filter(agency=agency).aggregate(
        received=Max("received_at"), decided=Max("decided_at")
    )
    return _latest(row["received"], row["decided"])


# --- petitions (PAKN) ------------------------------------------------------------------------


def petition_rows(agency, params) -> list[dict]:
    from cchc.feedback import selectors

    counters = selectors.summary(agency) or {}
    keys = ("received", "answered", "in_process", "refused", "forwarded", "overdue")
    row = {k: counters.get(k, 0) for k in keys}
    rate = counters.get("on_time_rate")
    row["on_time_rate"] = round(rate, 4) if rate is not None else None
    return [row]


def petition_modified(agency) -> dt.date | None:
    from cchc.feedback.models import Petition

    row = Petition.objects.filter(agency=agency).aggregate(
        a=Max("received_at"), b=Max("triaged_at"), c=Max("answered_at"), d=Max("published_at")
    )
    return _latest(*row.values())


# --- Decision 766 -----------------------------------------------------------------------------


def index_766_rows(agency, params) -> list[dict]:
    from cchc.dossiers.statistics import index_766

    year = year_param(params)
    rows = []
    for group in index_766(agency, dt.date(year, 1, 1), dt.date(year, 12, 31)):
        blank = {"numerator": None, "denominator": None, "rate": None, "points": None, "max": None}
        for component in group["components"] or [{"name": "", "formula": "", **blank}]:
            rate = component.get("rate")
            rows.append(
                {
                    "year": year,
                    "group": str(group["name"]),
                    "group_max": group["max"],
                    "component": str(component.get("name") or ""),
                    "formula": str(component.get("formula") or ""),
                    "numerator": component.get("numerator"),
                    "denominator": component.get("denominator"),
                    "rate": round(rate, 4) if rate is not None else None,
                    "points": component.get("points"),
                    "max": component.get("max"),
                }
            )
    return rows


# --- the citizen reception schedule -------------------------------------------------------------


def reception_rows(agency, params) -> list[dict]:
    from cchc.portal.models import ReceptionSession

    return [
        {
            "date": s.date.isoformat(),
            "session": s.session,
            "session_name": str(s.get_session_display()),
            "leader": s.leader,
            "place": s.place,
            "content": s.content,
        }
        for s in ReceptionSession.objects.filter(agency=agency).order_by("date", "session", "pk")
    ]


def reception_modified(agency) -> dt.date | None:
    from cchc.portal.models import ReceptionSession

    return _day(ReceptionSession.objects.filter(agency=agency).aggregate(m=Max("created_at"))["m"])


DATASETS = {
    d.slug: d
    for d in (
        Dataset(
            slug="thu-tuc-hanh-chinh",
            title=_("Danh mục thủ tục hành chính"),
            description=_(
                "Các thủ tục hành chính đang áp dụng (phiên bản hiện hành): mã, tên, lĩnh vực, "
                "cấp thực hiện, thời hạn giải quyết, phí, lệ phí và mức độ trực tuyến."
            ),
            counting_rule=_(
                "Mỗi dòng là phiên bản hiện hành của một thủ tục; thủ tục đã bãi bỏ hoặc phiên "
                "bản cũ không có trong danh mục."
            ),
            keywords=("thủ tục hành chính", "dịch vụ công"),
            columns=(
                ("code", _("Mã thủ tục")),
                ("name", _("Tên thủ tục")),
                ("field", _("Lĩnh vực")),
                ("level", _("Cấp thực hiện")),
                ("legal_time", _("Thời hạn giải quyết")),
                ("time_unit", _("Đơn vị thời hạn")),
                ("legal_time_text", _("Thời hạn (chữ)")),
                ("fee_text", _("Phí, lệ phí")),
                ("online_level", _("Mức độ trực tuyến")),
                ("online_level_text", _("Mức độ trực tuyến (chữ)")),
            ),
            rows=procedure_rows,
            modified=procedure_modified,
        ),
        Dataset(
            slug="ho-so-theo-thang",
            title=_("Thống kê hồ sơ theo tháng, thủ tục và kênh nộp"),
            description=_(
                "Số hồ sơ tiếp nhận và đã giải quyết mỗi tháng, theo thủ tục và kênh nộp "
                "(trực tiếp, trực tuyến, bưu chính); chỉ có số đếm."
            ),
            counting_rule=_(
                "Tiếp nhận: tính vào tháng tiếp nhận. Đã giải quyết, đúng hạn (gồm trước hạn) và "
                "quá hạn: tính vào tháng có kết quả. Các phiên bản của một thủ tục gộp làm một; "
                "hồ sơ chưa tiếp nhận không được tính."
            ),
            keywords=("hồ sơ", "thống kê", "một cửa"),
            columns=(
                ("month", _("Tháng")),
                ("procedure_code", _("Mã thủ tục")),
                ("procedure_name", _("Tên thủ tục")),
                ("channel", _("Mã kênh nộp")),
                ("channel_name", _("Kênh nộp")),
                ("received", _("Tiếp nhận")),
                ("decided", _("Đã giải quyết")),
                ("on_time", _("Đúng hạn")),
                ("late", _("Quá hạn")),
            ),
            rows=dossier_month_rows,
            modified=dossier_modified,
        ),
        Dataset(
            slug="pakn",
            title=_("Số liệu phản ánh, kiến nghị"),
            description=_("Các số đếm phản ánh, kiến nghị mà cổng công khai trên trang chủ."),
            counting_rule=_(
                "Đã trả lời: đã trả lời hoặc đã công khai; đang xử lý: mới tiếp nhận hoặc đã "
                "nhận xử lý chưa trả lời; từ chối: từ chối có lý do; chuyển cơ quan khác tính "
                "riêng; quá hạn: đang xử lý đã qua hạn trả lời; tỷ lệ trả lời đúng hạn: số đã trả "
                "lời không muộn hơn hạn trả lời trên số đã trả lời. Tính trên mọi PAKN đã tiếp "
                "nhận."
            ),
            keywords=("phản ánh", "kiến nghị", "PAKN"),
            columns=(
                ("received", _("Đã tiếp nhận")),
                ("answered", _("Đã trả lời")),
                ("in_process", _("Đang xử lý")),
                ("refused", _("Từ chối xử lý")),
                ("forwarded", _("Chuyển cơ quan khác")),
                ("overdue", _("Quá hạn")),
                ("on_time_rate", _("Tỷ lệ trả lời đúng hạn")),
            ),
            rows=petition_rows,
            modified=petition_modified,
        ),
        Dataset(
            slug="chi-so-766",
            title=_("Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg)"),
            description=_(
                "Các nhóm chỉ số theo Quyết định 766/QĐ-TTg với tử số, mẫu số, tỷ lệ và điểm "
                "của từng thành phần trong năm."
            ),
            counting_rule=_(
                "Tính trên hồ sơ tiếp nhận hoặc có kết quả trong năm (1/1 đến 31/12); công thức "
                "của mỗi thành phần ghi ở cột formula; nhóm chưa có thành phần để trống."
            ),
            keywords=("Quyết định 766", "chỉ số phục vụ", "dịch vụ công"),
            columns=(
                ("year", _("Năm")),
                ("group", _("Nhóm chỉ số")),
                ("group_max", _("Điểm tối đa của nhóm")),
                ("component", _("Thành phần")),
                ("formula", _("Công thức")),
                ("numerator", _("Tử số")),
                ("denominator", _("Mẫu số")),
                ("rate", _("Tỷ lệ")),
                ("points", _("Điểm")),
                ("max", _("Điểm tối đa")),
            ),
            rows=index_766_rows,
            modified=dossier_modified,
            parameters={"nam": _("năm, ví dụ 2025 (mặc định: năm nay)")},
        ),
        Dataset(
            slug="lich-tiep-cong-dan",
            title=_("Lịch tiếp công dân"),
            description=_("Lịch tiếp công dân của lãnh đạo cơ quan đã công bố trên cổng."),
            counting_rule=_("Mỗi dòng là một buổi tiếp công dân đã công bố."),
            keywords=("tiếp công dân", "lịch"),
            columns=(
                ("date", _("Ngày")),
                ("session", _("Mã buổi")),
                ("session_name", _("Buổi")),
                ("leader", _("Lãnh đạo tiếp")),
                ("place", _("Địa điểm")),
                ("content", _("Nội dung dự kiến")),
            ),
            rows=reception_rows,
            modified=reception_modified,
        ),
    )
}
