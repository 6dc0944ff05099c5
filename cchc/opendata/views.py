"""Open data pages: the datasets of an agency, each as CSV and JSON, and the DCAT-style
catalogue data.json (Project Open Data v1.1). Public, read-only."""

import csv
import io

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cchc.core.models import Agency
from cchc.core.selectors import site_agency
from cchc.opendata.selectors import DATASETS, LICENSE, LICENSE_NAME, ParameterError

POD_SCHEMA = "https://project-open-data.cio.gov/v1.1/schema"
FORMATS = {"csv": "text/csv", "json": "application/json"}


def _agency(code: str | None) -> Agency:
    if code is None:
        agency = site_agency()
        if agency is None:
            raise Http404(_("Cổng chưa có cơ quan."))
        return agency
    return get_object_or_404(Agency, code=code)


def _download_url(request, agency, dataset, fmt) -> str:
    path = reverse(
        "opendata:dataset", kwargs={"agency": agency.code, "dataset": dataset.slug, "fmt": fmt}
    )
    return request.build_absolute_uri(path)


@require_safe
def index(request, agency=None):
    agency = _agency(agency)
    datasets = [
        {
            "dataset": d,
            "modified": d.modified(agency),
            "csv": f"{d.slug}.csv",
            "json": f"{d.slug}.json",
        }
        for d in DATASETS.values()
    ]
    context = {
        "agency": agency,
        "datasets": datasets,
        "license": LICENSE,
        "license_name": LICENSE_NAME,
        "agencies": Agency.objects.order_by("name").only("code", "name"),
    }
    return render(request, "opendata/index.html", context)


@require_safe
def dataset(request, agency, dataset, fmt):
    agency = _agency(agency)
    data = DATASETS.get(dataset)
    if data is None:
        raise Http404(_("Không có bộ dữ liệu này."))
    try:
        rows = data.rows(agency, request.GET)
    except ParameterError as error:
        body = {"errors": [{"field": error.field, "message": str(error)}]}
        return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
    modified = data.modified(agency)
    if fmt == "csv":
        return _csv(agency, data, rows)
    body = {
        "identifier": _download_url(request, agency, data, "json"),
        "title": str(data.title),
        "description": str(data.description),
        "publisher": {"code": agency.code, "name": agency.name},
        "modified": modified.isoformat() if modified else None,
        "license": LICENSE,
        "counting_rule": str(data.counting_rule),
        "columns": [{"name": key, "title": str(title)} for key, title in data.columns],
        "rows": rows,
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


def _csv(agency, data, rows) -> HttpResponse:
    # With a byte-order mark: Excel, which most offices open CSV files with, then reads UTF-8.
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    keys = [key for key, _title in data.columns]
    writer.writerow(keys)
    for row in rows:
        writer.writerow(["" if row[k] is None else row[k] for k in keys])
    response = HttpResponse(buffer.getvalue().encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{agency.code}-{data.slug}.csv"'
    return response


@require_safe
def catalogue(request, agency=None):
    agency = _agency(agency)
    page = request.build_absolute_uri(reverse("opendata:agency-index", args=[agency.code]))
    contact = {"@type": "vcard:Contact", "fn": agency.name}
    if agency.email:
        contact["hasEmail"] = f"mailto:{agency.email}"
    entries = []
    for data in DATASETS.values():
        modified = data.modified(agency)
        entry = {
            "@type": "dcat:Dataset",
            "title": str(data.title),
            "description": f"{data.description} {_('Cách tính:')} {data.counting_rule}",
            "keyword": [str(k) for k in data.keywords],
            "publisher": {"@type": "org:Organization", "name": agency.name},
            "contactPoint": contact,
            "identifier": _download_url(request, agency, data, "json"),
            "accessLevel": "public",
            "license": LICENSE,
            "landingPage": page,
            "language": ["vi"],
            "distribution": [
                {
                    "@type": "dcat:Distribution",
                    "title": f"{data.title} ({fmt.upper()})",
                    "downloadURL": _download_url(request, agency, data, fmt),
                    "mediaType": media,
                    "format": fmt.upper(),
                }
                for fmt, media in FORMATS.items()
            ],
        }
        if modified is not None:
            entry["modified"] = modified.isoformat()
        entries.append(entry)
    body = {
        "@context": f"{POD_SCHEMA}/catalog.jsonld",
        "@type": "dcat:Catalog",
        "conformsTo": POD_SCHEMA,
        "describedBy": f"{POD_SCHEMA}/catalog.json",
        "dataset": entries,
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})
