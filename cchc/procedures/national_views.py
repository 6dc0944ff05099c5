"""The DVCQG mapping pages: local procedures and fields ↔ the national catalogue.

Who may map: the people who edit the procedure catalogue (views.can_edit_catalogue: the system
administrator, the agency's leaders and unit leaders of the site agency); 404 for everyone else.
"""

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from cchc.core.permissions import require_staff
from cchc.core.selectors import site_agency
from cchc.core.text import MAX_QUERY, query_error
from cchc.procedures import national, national_services
from cchc.procedures.models import NationalProcedure
from cchc.procedures.views import _editable_procedure, can_edit_catalogue

MAX_CATALOGUE_BYTES = 5 * 1024 * 1024


def _require_mapping_editor(request) -> None:
    require_staff(request.user)
    if not can_edit_catalogue(request.user):
        raise Http404


class CatalogueUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp JSON danh mục TTHC (phản hồi LayDanhSachTTHC hoặc LayThuTuc)")
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CATALOGUE_BYTES:
            raise ValidationError(_("Tệp lớn quá 5 MB."))
        try:
            return json.loads(upload.read().decode("utf-8"))
        except UnicodeDecodeError as error:
            raise ValidationError(_("Tệp không phải văn bản UTF-8.")) from error
        except json.JSONDecodeError as error:
            raise ValidationError(
                _("Tệp không phải JSON hợp lệ (dòng %(line)s).") % {"line": error.lineno}
            ) from error
        except RecursionError as error:  # nested deeper than any catalogue
            raise ValidationError(_("Tệp JSON lồng nhau quá sâu.")) from error


@require_safe
def mapping_list(request):
    _require_mapping_editor(request)
    query = request.GET.get("q", "").strip()
    error = query_error(query)
    unmapped = request.GET.get("chua_anh_xa") == "1"
    rows = national.mapping_rows(unmapped_only=unmapped, query=query) if not error else []
    context = {
        "rows": rows,
        "unmapped": unmapped,
        "query": query[:MAX_QUERY],
        "error": error,
        "agency": site_agency(),
        "national_count": NationalProcedure.objects.count(),
        "form": CatalogueUploadForm(),
    }
    return render(request, "procedures/national/list.html", context, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def catalogue_import(request):
    _require_mapping_editor(request)
    posted = request.method == "POST"
    form = CatalogueUploadForm(request.POST if posted else None, request.FILES if posted else None)
    report, problem = None, ""
    if request.method == "POST" and form.is_valid():
        try:
            report = national_services.national_catalogue_import(
                reply=form.cleaned_data["file"], actor=request.user
            )
        except ValidationError as error:
            problem = " ".join(error.messages)
    bad = request.method == "POST" and (form.errors or problem)
    return render(
        request,
        "procedures/national/import.html",
        {"form": form, "report": report, "problem": problem},
        status=400 if bad else 200,
    )


class MapForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Mã TTHC trên Cổng DVCQG"), max_length=60)
    remap = forms.BooleanField(
        label=gettext_lazy("Ánh xạ lại: bỏ ánh xạ cũ của mã này với thủ tục khác"), required=False
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        found = NationalProcedure.objects.filter(code=code).first()
        if found is None:
            raise ValidationError(
                _("Không có mã %(code)s trong danh mục đã nhập từ Cổng DVCQG.") % {"code": code}
            )
        return found


@require_http_methods(["GET", "POST"])
def procedure_mapping(request, pk):
    procedure = _editable_procedure(request, pk)
    form = MapForm(request.POST if request.method == "POST" else None)
    problem = ""
    if request.method == "POST" and request.POST.get("action") == "unmap":
        national_services.procedure_unmap_national(procedure=procedure, actor=request.user)
        messages.success(request, _("Đã bỏ ánh xạ."))
        return redirect("procedures:national-procedure", procedure.pk)
    if request.method == "POST" and form.is_valid():
        try:
            national_services.procedure_map_national(
                procedure=procedure,
                national=form.cleaned_data["code"],
                actor=request.user,
                remap=form.cleaned_data["remap"],
            )
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            messages.success(request, _("Đã lưu ánh xạ với Cổng DVCQG."))
            return redirect("procedures:national-procedure", procedure.pk)
    context = {
        "procedure": procedure,
        "mapping": national.mapping_of(procedure),
        "candidates": national.candidates(procedure),
        "form": form,
        "problem": problem,
    }
    bad = request.method == "POST" and (form.errors or problem)
    return render(
        request, "procedures/national/procedure.html", context, status=400 if bad else 200
    )


class FieldMapForm(forms.Form):
    field = forms.CharField(max_length=200)
    national_code = forms.CharField(label=gettext_lazy("Mã lĩnh vực (MaLinhVuc)"), max_length=60)
    national_name = forms.CharField(
        label=gettext_lazy("Tên lĩnh vực trên Cổng DVCQG"), max_length=300, required=False
    )


@require_http_methods(["GET", "POST"])
def field_mapping(request):
    _require_mapping_editor(request)
    form = FieldMapForm(request.POST or None)
    problem = ""
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            name = data["national_name"] or national.national_fields().get(
                data["national_code"].strip(), ""
            )
            try:
                national_services.field_map_national(
                    field=data["field"],
                    national_code=data["national_code"],
                    national_name=name,
                    actor=request.user,
                )
            except ValidationError as error:
                problem = " ".join(error.messages)
            else:
                messages.success(request, _("Đã lưu ánh xạ lĩnh vực."))
                return redirect("procedures:national-fields")
        else:
            problem = _("Cần chọn lĩnh vực và nhập mã lĩnh vực trên Cổng DVCQG.")
    return render(
        request,
        "procedures/national/fields.html",
        {"rows": national.field_rows(), "problem": problem},
        status=400 if problem else 200,
    )


@require_safe
def code_lists(request):
    """The status and channel code lists (the local codes are the national ones)."""
    require_staff(request.user)
    return render(request, "procedures/national/codes.html", national.code_lists())
