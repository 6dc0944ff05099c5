"""Pages of the records app: staff of the agency read; its agency-wide managers add, edit,
delete and import; everyone else gets 404. One set of views for every kind (kinds.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cchc.core.excel import XLSX
from cchc.core.forms import add_validation_errors
from cchc.core.permissions import may_manage_agency, require_manager, require_staff
from cchc.core.years import parse_ids, parse_year
from cchc.records import excel, kinds, selectors, services
from cchc.records.forms import ImportForm, record_form


def _posted(request):
    """The form's data on POST (an empty POST is a form with every field missing)."""
    return request.POST if request.method == "POST" else None


def _may_manage(user) -> bool:
    agency = user.agency
    return agency is not None and may_manage_agency(user, agency.pk)


def _manager_agency(request):
    require_staff(request.user)
    agency = request.user.agency
    if agency is None:
        raise Http404
    require_manager(request.user, agency.pk)
    return agency


@login_required
def overview(request):
    require_staff(request.user)
    return render(
        request,
        "records/overview.html",
        {"fields": selectors.overview(request.user), "may_manage": _may_manage(request.user)},
    )


def _cells(kind, record):
    cells = []
    for name in kind.columns:
        f = kind.model._meta.get_field(name)
        value = getattr(record, name)
        if f.choices:
            value = getattr(record, f"get_{name}_display")()
        elif name == "month" and value:
            value = value.strftime("%m/%Y")
        elif hasattr(value, "strftime"):
            value = value.strftime("%d/%m/%Y")
        elif isinstance(value, bool):
            value = _("Có") if value else _("Không")
        elif value is None:
            value = ""
        cells.append(value)
    return cells


@login_required
def record_list(request, kind):
    require_staff(request.user)
    spec = kinds.get(kind)
    year = parse_year(request.GET.get("year", ""))
    unit = parse_ids(request.GET.get("unit", ""))
    unit = unit[0] if unit else None
    ids = parse_ids(request.GET.get("ids", ""))
    items = list(
        selectors.records_listed(spec, request.user, year=year, unit=unit, ids=ids or None)
    )
    units = []
    if spec.has_unit and request.user.agency:
        units = list(request.user.agency.units.order_by("order", "code"))
    return render(
        request,
        "records/record_list.html",
        {
            "kind": spec,
            "headers": [spec.label(n) for n in spec.columns],
            "rows": [(r, _cells(spec, r)) for r in items],
            "count": len(items),
            "year": year,
            "unit": unit,
            "units": units,
            "ids": ",".join(map(str, ids)),
            "may_manage": _may_manage(request.user),
            "import_form": ImportForm(),
        },
    )


@login_required
def record_create(request, kind):
    spec = kinds.get(kind)
    agency = _manager_agency(request)
    form = record_form(spec)(_posted(request), agency=agency)
    if request.method == "POST" and form.is_valid():
        data = {n: form.cleaned_data[n] for n in spec.form_fields if n in form.cleaned_data}
        try:
            services.record_create(actor=request.user, kind=spec, agency=agency, **data)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu."))
            return redirect("records:list", kind=spec.slug)
    return _form_page(request, spec, form, None)


def _form_page(request, spec, form, record):
    title = (_("Sửa: %(t)s") if record else _("Thêm: %(t)s")) % {"t": spec.title}
    return render(
        request,
        "records/record_form.html",
        {
            "kind": spec,
            "form": form,
            "record": record,
            "title": title,
            "list_url": reverse("records:list", kwargs={"kind": spec.slug}),
        },
        status=400 if form.errors else 200,
    )


def _own_record(request, spec, pk):
    require_staff(request.user)
    record = get_object_or_404(selectors.records_for_user(spec, request.user), pk=pk)
    require_manager(request.user, record.agency_id)
    return record


@login_required
def record_edit(request, kind, pk):
    spec = kinds.get(kind)
    record = _own_record(request, spec, pk)
    # The form edits its own copy; the service re-reads and locks the row.
    copy = spec.model.objects.get(pk=record.pk)
    form = record_form(spec)(_posted(request), instance=copy)
    if request.method == "POST" and form.is_valid():
        data = {n: form.cleaned_data[n] for n in spec.form_fields if n in form.cleaned_data}
        try:
            services.record_update(actor=request.user, kind=spec, record=record, **data)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu."))
            return redirect("records:list", kind=spec.slug)
    return _form_page(request, spec, form, record)


@login_required
def record_delete(request, kind, pk):
    spec = kinds.get(kind)
    record = _own_record(request, spec, pk)
    if request.method == "POST":
        services.record_delete(actor=request.user, kind=spec, record=record)
        messages.success(request, _("Đã xóa."))
        return redirect("records:list", kind=spec.slug)
    return render(
        request,
        "records/record_delete.html",
        {
            "kind": spec,
            "record": record,
            "list_url": reverse("records:list", kwargs={"kind": spec.slug}),
        },
    )


@login_required
def import_template(request, kind):
    spec = kinds.get(kind)
    require_staff(request.user)
    response = HttpResponse(excel.template(spec), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="mau-{spec.slug}.xlsx"'
    return response


@login_required
def record_import(request, kind):
    spec = kinds.get(kind)
    agency = _manager_agency(request)
    if request.method != "POST":
        return redirect("records:list", kind=spec.slug)
    form = ImportForm(request.POST, request.FILES)
    errors = []
    if form.is_valid():
        try:
            report = services.records_import(
                actor=request.user, kind=spec, agency=agency, data=form.cleaned_data["file"].read()
            )
        except services.ImportRefused as exc:
            errors = exc.rows
        else:
            messages.success(
                request,
                _("Đã nhập tệp: thêm %(a)d, cập nhật %(u)d dòng.")
                % {"a": len(report.added), "u": len(report.updated)},
            )
            return redirect("records:list", kind=spec.slug)
    return render(
        request,
        "records/import_result.html",
        {
            "kind": spec,
            "form": form,
            "errors": errors,
            "list_url": reverse("records:list", kwargs={"kind": spec.slug}),
        },
        status=400,
    )
