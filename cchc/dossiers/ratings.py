"""Satisfaction ratings of returned dossiers: the applicant's rating (services), the signed link
that stands in for the lookup secret, and the monthly summaries in the shape of the national
portal's ``DongBoDanhGia`` items (selectors). Kept together in one module.

Counting rules (docs/dvcqg.md):
- a rating belongs to the month (Asia/Ho_Chi_Minh) in which it was given (``rated_at``), not
  the month the dossier was returned; a dossier counts for its agency and its procedure series;
- percentages are of the ratings of the month, to two decimals, rounded by largest remainder
  (each share floored to 0.01 %, the missing hundredths given to the largest remainders, ties
  in the order very satisfied, satisfied, not satisfied), so the three always sum to 100.00;
  with no rating all three are "0.00";
- comments are sent without personal data: e-mail addresses, digit runs that look like phone
  or identity numbers, and the applicant's own name are replaced by "***".
"""

import datetime as dt
import re
from fractions import Fraction

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.core.services import audit_record
from cchc.core.workcalendar import local_tz
from cchc.dossiers.models import Dossier, Rating, Status

__all__ = [
    "RatingForm",
    "ValidationError",
    "month_ratings",
    "parse_month",
    "percentages",
    "rating_dossier",
    "rating_submit",
    "rating_token",
    "satisfaction_by_procedure",
    "satisfaction_counts",
    "satisfaction_payload",
    "satisfaction_summary",
]

TOKEN_SALT = "cchc.dossiers.rating"
LINK_DAYS = 90  # the rating link of the "returned" e-mail is valid this long
ALREADY_RATED = gettext_lazy("Hồ sơ này đã được đánh giá")
NOT_RETURNED = gettext_lazy("Hồ sơ chưa trả kết quả nên chưa thể đánh giá.")
BAD_LINK = gettext_lazy("Đường dẫn đánh giá không hợp lệ.")
EXPIRED_LINK = gettext_lazy(
    "Đường dẫn đánh giá đã hết hạn. Vui lòng tra cứu hồ sơ bằng mã tra cứu để đánh giá."
)
MASK = "***"


# --- The applicant's rating ----------------------------------------------------------------


class RatingForm(forms.Form):
    t = forms.CharField(widget=forms.HiddenInput, max_length=500, required=False)
    level = forms.TypedChoiceField(
        label=gettext_lazy("Mức độ hài lòng"),
        choices=sorted(Rating.Level.choices, reverse=True),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Hãy chọn mức độ hài lòng."),
            "invalid_choice": gettext_lazy("Mức độ hài lòng không hợp lệ."),
        },
    )
    comment = forms.CharField(
        label=gettext_lazy("Ý kiến"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
        error_messages={"max_length": gettext_lazy("Ý kiến không quá 2000 ký tự.")},
    )


def rating_token(dossier: Dossier) -> str:
    """A signed, salted, timestamped token naming the dossier: the rating link's key, in the
    place of the lookup secret (it lets one rate that dossier and nothing else)."""
    return signing.dumps(dossier.code, salt=TOKEN_SALT)


def rating_dossier(token: str) -> Dossier:
    """The dossier a rating token names; ValidationError when forged or expired."""
    try:
        code = signing.loads(token or "", salt=TOKEN_SALT, max_age=dt.timedelta(days=LINK_DAYS))
    except signing.SignatureExpired:
        raise ValidationError(EXPIRED_LINK, code="expired") from None
    except signing.BadSignature:
        raise ValidationError(BAD_LINK, code="invalid") from None
    dossier = (
        Dossier.objects.select_related("procedure", "agency")
        .filter(code=code if isinstance(code, str) else "")
        .first()
    )
    if dossier is None:
        raise ValidationError(BAD_LINK, code="invalid")
    return dossier


def may_rate(dossier: Dossier) -> bool:
    return dossier.status == Status.RETURNED and not Rating.objects.filter(dossier=dossier).exists()


def rating_submit(*, dossier: Dossier, level: int, comment: str = "", at=None) -> Rating:
    """Record the applicant's one rating of a returned dossier. Refused (ValidationError) when
    the dossier is not returned, already rated (also when another request won the race: the
    one-to-one constraint decides), or the level or comment is out of bounds."""
    if level not in Rating.Level.values:
        raise ValidationError({"level": _("Mức độ hài lòng không hợp lệ.")})
    comment = (comment or "").replace("\x00", "").strip()
    if len(comment) > 2000:
        raise ValidationError({"comment": _("Ý kiến không quá 2000 ký tự.")})
    moment = at or timezone.now()
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if locked.status != Status.RETURNED:
            raise ValidationError(NOT_RETURNED, code="not_returned")
        if Rating.objects.filter(dossier=locked).exists():
            raise ValidationError(ALREADY_RATED, code="already")
        try:
            with transaction.atomic():
                rating = Rating.objects.create(
                    dossier=locked, level=level, comment=comment, rated_at=moment
                )
        except IntegrityError:
            raise ValidationError(ALREADY_RATED, code="already") from None
        audit_record(
            actor=None,
            obj=locked,
            action="dossier.rate",
            to_state=str(level),
            agency=locked.agency,
        )
    return rating


# --- Monthly summaries -----------------------------------------------------------------------


def parse_month(text: str, *, today: dt.date) -> dt.date:
    """The first day of a month given as "YYYY-MM" (blank: this month), 2000-2099."""
    if not text:
        return today.replace(day=1)
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if match is None or not (2000 <= int(match[1]) <= 2099 and 1 <= int(match[2]) <= 12):
        raise ValueError(_("Tháng không hợp lệ: hãy nhập theo dạng YYYY-MM."))
    return dt.date(int(match[1]), int(match[2]), 1)


def _month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[first moment of the month, first moment of the next) in local time."""
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    tz = local_tz()
    return dt.datetime.combine(first, dt.time.min, tz), dt.datetime.combine(
        following, dt.time.min, tz
    )


def _ratings(agency, begin: dt.datetime, end: dt.datetime):
    """Ratings of the agency's dossiers given in [begin, end)."""
    return Rating.objects.filter(dossier__agency=agency, rated_at__gte=begin, rated_at__lt=end)


def _counts(qs) -> dict:
    levels = Rating.Level
    data = qs.aggregate(
        very_satisfied=Count("pk", filter=Q(level=levels.VERY_SATISFIED)),
        satisfied=Count("pk", filter=Q(level=levels.SATISFIED)),
        not_satisfied=Count("pk", filter=Q(level=levels.NOT_SATISFIED)),
        total=Count("pk"),
    )
    return {key: int(value or 0) for key, value in data.items()}


def satisfaction_counts(*, agency, start: dt.date, end: dt.date) -> dict:
    """Ratings of the agency given from ``start`` to ``end`` (local dates, both included):
    ``{"very_satisfied", "satisfied", "not_satisfied", "total"}`` (for the 766 group). Two
    aware datetimes are taken as the moments [start, end) instead."""
    if isinstance(start, dt.datetime) and isinstance(end, dt.datetime):
        return _counts(_ratings(agency, start, end))  # moments: [start, end)
    begin = dt.datetime.combine(start, dt.time.min, local_tz())
    finish = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, local_tz())
    return _counts(_ratings(agency, begin, finish))


def percentages(very: int, satisfied: int, not_satisfied: int) -> tuple[str, str, str]:
    """The three shares as "50.00"-style strings summing to 100.00 (largest remainder)."""
    counts = (very, satisfied, not_satisfied)
    total = sum(counts)
    if not total:
        return ("0.00", "0.00", "0.00")
    exact = [Fraction(10000 * c, total) for c in counts]  # in hundredths of a percent
    floors = [int(x) for x in exact]
    order = sorted(range(3), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[: 10000 - sum(floors)]:
        floors[i] += 1
    return tuple(f"{f // 100}.{f % 100:02d}" for f in floors)


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_NUMBER = re.compile(r"\+?\d[\d .\-]{4,}\d")  # phone, identity and tax numbers (6+ digits)


def _without_personal_data(comment: str, applicant_name: str) -> str:
    text = _EMAIL.sub(MASK, comment)
    text = _NUMBER.sub(lambda m: MASK if sum(c.isdigit() for c in m[0]) >= 6 else m[0], text)
    name = (applicant_name or "").strip()
    if len(name) >= 3:
        text = re.sub(re.escape(name), MASK, text, flags=re.IGNORECASE)
    return text


def _item(agency, month: dt.date, rows: list[dict], procedure_code: str | None) -> dict:
    levels = Rating.Level
    very = sum(r["level"] == levels.VERY_SATISFIED for r in rows)
    satisfied = sum(r["level"] == levels.SATISFIED for r in rows)
    not_satisfied = sum(r["level"] == levels.NOT_SATISFIED for r in rows)
    shares = percentages(very, satisfied, not_satisfied)
    item = {
        "NgayTongHop": f"{month.month}-{month.year}",
        "TongSoNguoiDanhGia": str(len(rows)),
        "PhanTramDanhGiaRatHaiLong": shares[0],
        "PhanTramDanhGiaHaiLong": shares[1],
        "PhanTramDanhGiaChuaHaiLong": shares[2],
        "DanhSachNoiDungYKien": [
            {"NoiDung": _without_personal_data(r["comment"], r["dossier__applicant_name"])}
            for r in rows
            if r["comment"].strip()
        ],
        "Madonvi": agency.national_code,
        "TenDonVi": agency.name,
    }
    if procedure_code is not None:
        item["MaThuTuc"] = procedure_code
    return item


def _month_rows(agency, month: dt.date) -> list[dict]:
    return list(
        _ratings(agency, *_month_bounds(month))
        .order_by("rated_at", "pk")
        .values(
            "level",
            "comment",
            "rated_at",
            "dossier__applicant_name",
            "dossier__procedure_id",
            "dossier__procedure__series",
        )
    )


def satisfaction_summary(*, agency, month: dt.date) -> dict:
    """The agency's month as one ``DongBoDanhGia`` item (without MaThuTuc)."""
    month = month.replace(day=1)
    return _item(agency, month, _month_rows(agency, month), None)


def satisfaction_by_procedure(*, agency, month: dt.date) -> list[dict]:
    """One ``DongBoDanhGia`` item per procedure (all versions of a series together) rated in
    the month, by MaThuTuc: the national code the procedure is mapped to, else the local code."""
    from cchc.procedures.models import Procedure
    from cchc.procedures.national import national_for

    month = month.replace(day=1)
    groups: dict = {}
    for row in _month_rows(agency, month):
        groups.setdefault(row["dossier__procedure__series"], []).append(row)
    latest = Procedure.objects.in_bulk(
        [rows[-1]["dossier__procedure_id"] for rows in groups.values()]
    )
    items = []
    for rows in groups.values():
        procedure = latest[rows[-1]["dossier__procedure_id"]]
        national = national_for(procedure)
        items.append(_item(agency, month, rows, national.code if national else procedure.code))
    return sorted(items, key=lambda item: item["MaThuTuc"])


def satisfaction_payload(*, agency, month: dt.date) -> dict:
    """The body of the ``DongBoDanhGia`` call for the month: ``{"data": [items]}``."""
    return {"data": satisfaction_by_procedure(agency=agency, month=month)}


def month_ratings(*, agency, month: dt.date) -> list[dict]:
    """The month's ratings of the agency for its staff page, newest first (comments without
    personal data, as they are sent)."""
    qs = (
        _ratings(agency, *_month_bounds(month))
        .select_related("dossier__procedure")
        .only(
            "level",
            "comment",
            "rated_at",
            "dossier__code",
            "dossier__applicant_name",
            "dossier__procedure__name",
        )
        .order_by("-rated_at", "-pk")
    )
    return [
        {
            "code": r.dossier.code,
            "procedure": r.dossier.procedure.name,
            "level": r.get_level_display(),
            "comment": _without_personal_data(r.comment, r.dossier.applicant_name),
            "rated_at": r.rated_at,
        }
        for r in qs
    ]


def lookup_block(dossier: Dossier) -> dict:
    """What the lookup page (after the secret) shows about rating a returned dossier: the form
    with its token, or that it was rated."""
    if dossier.status != Status.RETURNED:
        return {}
    rating = Rating.objects.filter(dossier=dossier).only("level", "rated_at").first()
    if rating is not None:
        return {"rating": rating}
    return {"rating_form": RatingForm(initial={"t": rating_token(dossier)})}


def rating_link(dossier: Dossier) -> str:
    """The absolute rating link for the "returned" e-mail (settings.SITE_URL + the page)."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils.http import urlencode

    path = f"{reverse('dossiers:dossier-rate')}?{urlencode({'t': rating_token(dossier)})}"
    return f"{settings.SITE_URL.rstrip('/')}{path}"
