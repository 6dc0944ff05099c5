"""Open311 GeoReport v2 over the petitions (PAKN): the kinds of petition as services, the
published answers as service requests, and filing a petition through the same checks, rate
limit and service as the public form. JSON and XML, errors as ``[{"code", "description"}]``.

Choices where the specification leaves room (docs/dvcqg.md, "Open311"):
- services: one general service "PAKN" and one per current procedure with a national code
  (a petition about that procedure); ``metadata`` false, ``type`` "realtime";
- requests: only answered and published petitions; all of them are therefore "closed";
  ``description`` is the published subject and content, never the sender's name, phone,
  e-mail or address; ``status_notes`` the published answer;
- POST: no ``api_key`` is required (the public form needs none; a key sent is ignored); the
  request's location fields are ignored (petitions concern procedures, not places);
  ``media_url`` is refused (files go through the form); ``consent_to_publish`` (true/false)
  is an extension, false when absent, as the form's unticked box.
"""

import datetime as dt
import json
import xml.etree.ElementTree as ET

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from cchc.core import ratelimits
from cchc.core.selectors import site_agency
from cchc.core.workcalendar import fmt_local, local_tz
from cchc.feedback import services
from cchc.feedback.forms import PetitionForm
from cchc.feedback.models import Petition
from cchc.procedures.models import Procedure

GENERAL_CODE = "PAKN"
MAX_RANGE = dt.timedelta(days=90)  # the specification's longest (and default) search window
MAX_ROWS = 1000
STATUSES = ("open", "closed")
MEDIA = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# The form's fields, named as the Open311 parameters they come from (for the error texts).
PARAMETER = {
    "sender_name": "first_name",
    "sender_email": "email",
    "sender_phone": "phone",
    "subject": "description",
    "content": "description",
    "procedure_code": "service_code",
    "procedure_name": "service_code",
    "consent_to_publish": "consent_to_publish",
}


class Open311Error(Exception):
    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code, self.description = code, description


# --- output -------------------------------------------------------------------------------


def _xml(root: str, item: str, rows: list[dict]) -> bytes:
    top = ET.Element(root)
    for row in rows:
        element = ET.SubElement(top, item)
        for key, value in row.items():
            child = ET.SubElement(element, key)
            if value is not None:
                child.text = str(value).lower() if isinstance(value, bool) else str(value)
    return ET.tostring(top, encoding="utf-8", xml_declaration=True)


def _respond(fmt: str, root: str, item: str, rows: list[dict], status: int = 200):
    json_body = lambda: json.dumps(rows, ensure_ascii=False).encode()  # noqa: E731
    body = _xml(root, item, rows) if fmt == "xml" else json_body()
    return HttpResponse(body, content_type=MEDIA[fmt], status=status)


def _error(fmt: str, error: Open311Error):
    rows = [{"code": error.code, "description": error.description}]
    return _respond(fmt, "errors", "error", rows, status=error.code)


def _moment(value) -> str | None:
    return timezone.localtime(value, local_tz()).isoformat(timespec="seconds") if value else None


# --- reads --------------------------------------------------------------------------------


def _agency(params):
    """The portal's agency; a jurisdiction_id naming another one is unknown here (404)."""
    agency = site_agency()
    if agency is None:
        raise Open311Error(404, _("Cổng chưa có cơ quan tiếp nhận phản ánh, kiến nghị."))
    wanted = params.get("jurisdiction_id", "").strip()
    if wanted and wanted not in {agency.code, agency.national_code}:
        raise Open311Error(404, _("Không có cơ quan (jurisdiction_id) này."))
    return agency


def general_service() -> dict:
    return {
        "service_code": GENERAL_CODE,
        "service_name": _("Phản ánh, kiến nghị chung"),
        "description": _(
            "Phản ánh, kiến nghị về quy định hành chính và hành vi của cán bộ, công chức "
            "(Nghị định 20/2008/NĐ-CP)."
        ),
        "metadata": False,
        "type": "realtime",
        "keywords": _("phản ánh, kiến nghị"),
        "group": _("Phản ánh, kiến nghị"),
    }


def service_list() -> list[dict]:
    """The general service, then one per current procedure with a code (one query)."""
    rows = [general_service()]
    for code, name, field in (
        Procedure.objects.current()
        .exclude(code="")
        .order_by("code")
        .values_list("code", "name", "field")
    ):
        rows.append(
            {
                "service_code": code,
                "service_name": name,
                "description": _("Phản ánh, kiến nghị về thủ tục hành chính %(code)s: %(name)s")
                % {"code": code, "name": name},
                "metadata": False,
                "type": "realtime",
                "keywords": ", ".join(part for part in (_("thủ tục hành chính"), field) if part),
                "group": field,
            }
        )
    return rows


def _when(name: str, text: str, *, end: bool = False) -> dt.datetime:
    """A W3C date-time (or date: its start, or its end for end_date) of a filter; one without
    offset is in the agency's time."""
    text = text.strip().replace(" ", "+")  # a "+07:00" sent unencoded arrives as " 07:00"
    try:
        if (day := parse_date(text)) is not None:
            moment = dt.datetime.combine(day, dt.time.max if end else dt.time.min)
        else:
            moment = parse_datetime(text)
    except ValueError:
        moment = None
    if moment is None or not 2000 <= moment.year <= 2099:
        raise Open311Error(
            400,
            _(
                "%(name)s không đúng định dạng W3C hoặc ngoài các năm 2000-2099, ví dụ "
                "2025-01-31T00:00:00+07:00."
            )
            % {"name": name},
        )
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=local_tz())


def _codes(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def published_requests(agency, params, *, now: dt.datetime) -> list[Petition]:
    """The published petitions the filters of GET requests ask for (one query).

    ``service_request_id`` (comma separated) overrides the other filters; otherwise
    requested_datetime lies in [start_date, end_date], at most 90 days, the latest 90 days by
    default; ``status`` and ``service_code`` are comma-separated lists."""
    qs = Petition.objects.filter(agency=agency, status=Petition.Status.PUBLISHED)
    qs = qs.select_related("agency")
    if ids := _codes(params.get("service_request_id", "")):
        return list(qs.filter(code__in=[i.upper() for i in ids])[:MAX_ROWS])
    statuses = _codes(params.get("status", "").lower())
    if unknown := [s for s in statuses if s not in STATUSES]:
        raise Open311Error(
            400,
            _("status chỉ nhận open hoặc closed (không nhận: %(value)s).")
            % {"value": ", ".join(unknown)},
        )
    if statuses and "closed" not in statuses:
        return []  # a published petition has been answered: none is open
    start = _when("start_date", params["start_date"]) if params.get("start_date") else None
    end = _when("end_date", params["end_date"], end=True) if params.get("end_date") else None
    if start is None and end is None:
        end = now
    if start is None:
        start = end - MAX_RANGE
    if end is None:
        end = start + MAX_RANGE
    if end < start:
        raise Open311Error(400, _("end_date không được trước start_date."))
    if end - start > MAX_RANGE:
        raise Open311Error(400, _("Khoảng start_date – end_date không được quá 90 ngày."))
    qs = qs.filter(received_at__gte=start, received_at__lte=end)
    if codes := _codes(params.get("service_code", "")):
        wanted = Q(procedure_code__in=[c for c in codes if c != GENERAL_CODE])
        if GENERAL_CODE in codes:
            wanted |= Q(procedure_code="")
        qs = qs.filter(wanted)
    return list(qs.order_by("-received_at", "-id")[:MAX_ROWS])


def request_row(petition: Petition) -> dict:
    """A published petition as a service request: what the answer page shows, nothing of
    the sender."""
    general = not petition.procedure_code
    return {
        "service_request_id": petition.code,
        "status": "open" if petition.is_open else "closed",
        "status_notes": petition.answer,
        "service_name": str(general_service()["service_name"])
        if general
        else petition.procedure_name or petition.procedure_code,
        "service_code": GENERAL_CODE if general else petition.procedure_code,
        "description": f"{petition.subject}\n\n{petition.content}",
        "agency_responsible": petition.agency.name,
        "service_notice": "",
        "requested_datetime": _moment(petition.received_at),
        "updated_datetime": _moment(petition.published_at or petition.answered_at),
        "expected_datetime": _moment(petition.due_at),
        "address": "",
        "address_id": "",
        "zipcode": "",
        "lat": "",
        "long": "",
        "media_url": "",
    }


# --- the petition from a POST ---------------------------------------------------------------


def _subject(description: str) -> str:
    """Open311 has no title: the first line of the description, cut at a word."""
    first = description.strip().splitlines()[0].strip() if description.strip() else ""
    if len(first) <= 120:
        return first
    return first[:120].rsplit(" ", 1)[0] + "…"


def _form_data(data, services_by_code: dict) -> dict:
    code = data.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, _("service_code: bắt buộc (xem services.json)."))
    if code not in services_by_code:
        raise Open311Error(
            400, _("service_code %(code)s không có trong services.json.") % {"code": code}
        )
    if data.get("media_url", "").strip():
        raise Open311Error(
            400,
            _("media_url: không nhận tệp qua đường dẫn; hãy đính kèm tệp trên biểu mẫu của cổng."),
        )
    consent = data.get("consent_to_publish", "").strip().lower()
    if consent not in ("", "true", "false", "1", "0"):
        raise Open311Error(400, _("consent_to_publish: chỉ nhận true hoặc false."))
    name = " ".join(
        part
        for part in (data.get("last_name", "").strip(), data.get("first_name", "").strip())
        if part
    )
    description = data.get("description", "")
    return {
        "sender_name": name,
        "sender_email": data.get("email", "").strip(),
        "sender_phone": data.get("phone", "").strip(),
        "subject": _subject(description),
        "content": description,
        "procedure_code": "" if code == GENERAL_CODE else code,
        "procedure_name": "" if code == GENERAL_CODE else services_by_code[code],
        "consent_to_publish": "on" if consent in ("true", "1") else "",
    }


def _errors(errors: dict) -> list[dict]:
    seen, rows = set(), []
    for field, messages in errors.items():
        name = PARAMETER.get(field, field)
        for message in messages:
            if (name, str(message)) not in seen:
                seen.add((name, str(message)))
                rows.append({"code": 400, "description": f"{name}: {message}"})
    return rows


def _incoming(request) -> dict:
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            raise Open311Error(400, _("Nội dung gửi không phải JSON hợp lệ.")) from None
        if not isinstance(body, dict):
            raise Open311Error(400, _("Nội dung gửi phải là một đối tượng JSON."))
        return {k: "" if v is None else str(v) for k, v in body.items()}
    return {k: request.POST.get(k, "") for k in request.POST}


def _create(request, fmt: str):
    data = _incoming(request)
    agency = _agency(data)
    if ratelimits.limited(request, "petition"):
        raise Open311Error(
            429,
            _(
                "Địa chỉ của bạn đã gửi quá nhiều phản ánh, kiến nghị trong thời gian ngắn. "
                "Vui lòng thử lại sau."
            ),
        )
    services_by_code = {row["service_code"]: row["service_name"] for row in service_list()}
    form = PetitionForm(_form_data(data, services_by_code))
    if not form.is_valid():
        return _respond(fmt, "errors", "error", _errors(form.errors), status=400)
    fields = {k: v for k, v in form.cleaned_data.items() if k not in ("website", "attachments")}
    try:
        petition = services.petition_submit(agency=agency, channel=Petition.Channel.API, **fields)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"description": exc.messages}
        return _respond(fmt, "errors", "error", _errors(errors), status=400)
    notice = _("Đã tiếp nhận phản ánh, kiến nghị. Hạn trả lời: %(due)s.") % {
        "due": fmt_local(petition.due_at, time=False)
    }
    rows = [{"service_request_id": petition.code, "service_notice": notice}]
    return _respond(fmt, "service_requests", "request", rows, status=201)


# --- views --------------------------------------------------------------------------------


@require_safe
def service_index(request, fmt):
    try:
        _agency(request.GET)
    except Open311Error as error:
        return _error(fmt, error)
    return _respond(fmt, "services", "service", service_list())


@csrf_exempt  # a public API without cookies: anonymous, rate-limited, as the public form
@require_http_methods(["GET", "HEAD", "POST"])
def request_index(request, fmt):
    try:
        if request.method == "POST":
            return _create(request, fmt)
        agency = _agency(request.GET)
        found = published_requests(agency, request.GET, now=timezone.now())
        rows = [request_row(p) for p in found]
    except Open311Error as error:
        return _error(fmt, error)
    return _respond(fmt, "service_requests", "request", rows)


@require_safe
def request_detail(request, code, fmt):
    try:
        agency = _agency(request.GET)
        petition = (
            Petition.objects.filter(
                agency=agency, status=Petition.Status.PUBLISHED, code=code.upper()
            )
            .select_related("agency")
            .first()
        )
        if petition is None:
            raise Open311Error(404, _("Không có phản ánh, kiến nghị đã công khai với mã này."))
    except Open311Error as error:
        return _error(fmt, error)
    return _respond(fmt, "service_requests", "request", [request_row(petition)])
