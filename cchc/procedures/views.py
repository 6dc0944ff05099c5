from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from cchc.core.files import check_upload, upload_response
from cchc.core.models import Unit
from cchc.core.permissions import acts_for, require_staff
from cchc.core.roles import Role
from cchc.core.selectors import site_agency
from cchc.core.text import MAX_QUERY, query_error
from cchc.procedures import selectors, services
from cchc.procedures.models import Component, Procedure


@require_safe
def procedure_list(request):
    field = request.GET.get("linh_vuc", "")[:200]
    query = request.GET.get("q", "").strip()
    error = query_error(query)
    online = request.GET.get("truc_tuyen", "")
    if online not in {c.value for c in Procedure.OnlineForm}:
        online = ""
    found = selectors.catalogue(field=field, query=query, online=online) if not error else []
    page = Paginator(found, 25).get_page(request.GET.get("trang"))
    context = {
        "error": error,
        "page": page,
        "fields": selectors.fields(),
        "field": field,
        "query": query[:MAX_QUERY],
        "online": online,
        "online_forms": Procedure.OnlineForm.choices,
    }
    template = "procedures/list.html#results" if request.htmx else "procedures/list.html"
    return render(request, template, context, status=400 if error else 200)


@require_safe
def procedure_detail(request, pk):
    procedure = selectors.procedure_detail(pk)
    return render(
        request, "procedures/detail.html", {"procedure": procedure, "today": timezone.localdate()}
    )


@require_safe
def component_template(request, pk, component_pk):
    """A component's form template as a download (never a MEDIA_URL link)."""
    procedure = selectors.procedure_detail(pk)
    component = get_object_or_404(procedure.components, pk=component_pk)
    if not component.template_file:
        raise Http404
    name = component.template_file.name
    extension = name.rsplit(".", 1)[-1] if "." in name else "bin"
    return upload_response(
        name, filename=f"mau-{component.order}-{slugify(component.name)[:60]}.{extension}"
    )


class StepForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Bước"), max_length=300)
    working_days = forms.DecimalField(
        label=gettext_lazy("Số ngày làm việc"), min_value=0.5, max_digits=5, decimal_places=1
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Đơn vị thực hiện"), queryset=Unit.objects.none(), required=False
    )
    role = forms.ChoiceField(
        label=gettext_lazy("Vai trò"), choices=[("", "—"), *Role.choices], required=False
    )
    optional = forms.BooleanField(label=gettext_lazy("Có thể bỏ qua"), required=False)
    is_decision = forms.BooleanField(label=gettext_lazy("Bước trình ký, phê duyệt"), required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units


StepFormSet = forms.formset_factory(StepForm, extra=2, can_delete=True)


class ComponentForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Tên giấy tờ"), max_length=500)
    copies = forms.IntegerField(label=gettext_lazy("Số bộ"), min_value=1, max_value=20, initial=1)
    form = forms.ChoiceField(label=gettext_lazy("Hình thức"), choices=Component.Form.choices)
    required = forms.BooleanField(label=gettext_lazy("Bắt buộc"), required=False, initial=True)
    template_file = forms.FileField(
        label=gettext_lazy("Mẫu đơn, tờ khai (PDF, Word, Excel)"), required=False
    )

    def clean_template_file(self):
        upload = self.cleaned_data.get("template_file")
        if upload:
            # Sniffed by content, not by extension; stored by the service.
            return check_upload(upload, kinds=("pdf", "office"), max_bytes=5 * 1024 * 1024)
        return None


def _editable_procedure(request, pk):
    """The current version of a procedure, for a staff member who may edit the catalogue
    (404 otherwise, as for a procedure that does not exist)."""
    require_staff(request.user)
    if not can_edit_catalogue(request.user):
        raise Http404
    procedure = selectors.procedure_detail(pk)
    if not procedure.is_current:
        raise Http404
    return procedure


def _kept_rows(formset) -> list[dict]:
    """The filled rows of a valid formset that are not marked for deletion, without DELETE."""
    return [
        {k: v for k, v in f.cleaned_data.items() if k != "DELETE"}
        for f in formset
        if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


ComponentFormSet = forms.formset_factory(ComponentForm, extra=2, can_delete=True)


def procedure_components(request, pk):
    procedure = _editable_procedure(request, pk)
    initial = [
        {"name": c.name, "copies": c.copies, "form": c.form, "required": c.required}
        for c in procedure.components.all()
    ]
    formset = ComponentFormSet(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and formset.is_valid():
        rows = _kept_rows(formset)
        new = services.procedure_set_components(
            procedure=procedure, components=rows, actor=request.user
        )
        messages.success(request, _("Đã lưu thành phần hồ sơ."))
        return redirect("procedures:procedure-detail", new.pk)
    return render(
        request, "procedures/components.html", {"procedure": procedure, "formset": formset}
    )


class LegalBasisForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Văn bản, điều khoản"), max_length=500)
    valid_from = forms.DateField(
        label=gettext_lazy("Hiệu lực từ"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Ngày không hợp lệ.")},
    )
    valid_to = forms.DateField(
        label=gettext_lazy("Hết hiệu lực"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Ngày không hợp lệ.")},
    )


LegalBasisFormSet = forms.formset_factory(LegalBasisForm, extra=2, can_delete=True)


def procedure_legal_bases(request, pk):
    procedure = _editable_procedure(request, pk)
    initial = [
        {"title": b.title, "valid_from": b.valid_from, "valid_to": b.valid_to}
        for b in procedure.legal_bases.all()
    ]
    formset = LegalBasisFormSet(request.POST or None, initial=initial)
    problems = []
    if request.method == "POST" and formset.is_valid():
        rows = _kept_rows(formset)
        try:
            new = services.procedure_set_legal_bases(
                procedure=procedure, bases=rows, actor=request.user
            )
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(request, _("Đã lưu căn cứ pháp lý."))
            return redirect("procedures:procedure-detail", new.pk)
    return render(
        request,
        "procedures/legal_bases.html",
        {"procedure": procedure, "formset": formset, "problems": problems},
        status=400 if problems else 200,
    )


def can_edit_catalogue(user) -> bool:
    """The catalogue is the site agency's (its steps route to that agency's units): its
    leaders edit it; the same roles in another agency do not."""
    agency = site_agency()
    return acts_for(user, agency and agency.pk) and (
        user.is_superuser or user.has_role(Role.SYSTEM_ADMIN, Role.AGENCY_LEADER, Role.UNIT_LEADER)
    )


def procedure_steps(request, pk):
    procedure = _editable_procedure(request, pk)
    initial = [
        {
            "name": s.name,
            "working_days": s.working_days,
            "unit": s.unit_id,
            "role": s.role,
            "optional": s.optional,
            "is_decision": s.is_decision,
        }
        for s in procedure.steps.all()
    ]
    # The steps are routed to units of the editor's agency (every unit for a superuser).
    units = Unit.objects.all() if request.user.agency is None else request.user.agency.units.all()
    formset = StepFormSet(request.POST or None, initial=initial, form_kwargs={"units": units})
    problems = []
    if request.method == "POST" and formset.is_valid():
        steps = _kept_rows(formset)
        try:
            new = services.procedure_set_steps(procedure=procedure, steps=steps, actor=request.user)
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(request, _("Đã lưu quy trình nội bộ."))
            return redirect("procedures:procedure-detail", new.pk)
    return render(
        request,
        "procedures/steps.html",
        {"procedure": procedure, "formset": formset, "problems": problems},
    )


class ProcedureForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Tên thủ tục"), max_length=500)
    field = forms.CharField(label=gettext_lazy("Lĩnh vực"), max_length=200)
    time = forms.DecimalField(
        label=gettext_lazy("Thời hạn giải quyết"),
        required=False,
        min_value=0.5,
        max_digits=6,
        decimal_places=1,
        help_text=gettext_lazy("Để trống khi chưa rõ; lẻ nửa ngày được phép với ngày làm việc."),
    )
    time_unit = forms.ChoiceField(
        label=gettext_lazy("Đơn vị thời hạn"),
        choices=[("", "—"), *Procedure.TimeUnit.choices],
        required=False,
    )
    full_online_time = forms.DecimalField(
        label=gettext_lazy("Thời hạn khi nộp toàn trình"),
        required=False,
        min_value=0.5,
        max_digits=6,
        decimal_places=1,
    )
    fee_text = forms.CharField(
        label=gettext_lazy(
            "Phí, lệ phí (ví dụ: Không; 500.000 đ; 0,1% giá trị hợp đồng; tối thiểu 5.000.000 đ, tối đa 10.000.000 đ)"
        ),
        max_length=500,
        required=False,
    )
    online_form = forms.ChoiceField(
        label=gettext_lazy("Dịch vụ công trực tuyến"),
        choices=[("", "—"), *Procedure.OnlineForm.choices],
        required=False,
    )
    result_type = forms.CharField(
        label=gettext_lazy("Kết quả thực hiện"), max_length=300, required=False
    )
    note = forms.CharField(
        label=gettext_lazy("Ghi chú"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("time") is not None and not data.get("time_unit"):
            self.add_error("time_unit", _("Thời hạn cần có đơn vị (ngày làm việc hoặc ngày)."))
        if data.get("time") is not None and data.get("time_unit") == "days" and data["time"] % 1:
            self.add_error("time", _("Thời hạn theo ngày lịch phải là số nguyên."))
        if data.get("time") is None:
            data["time_unit"] = ""
        return data


def procedure_edit(request, pk):
    procedure = _editable_procedure(request, pk)
    fields = [f for f in ProcedureForm.base_fields if f != "fee_text"]
    form = ProcedureForm(
        request.POST or None,
        initial={**{f: getattr(procedure, f) for f in fields}, "fee_text": procedure.fee_text},
    )
    error = ""
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        fee_text = data.pop("fee_text")
        try:
            new, versioned = services.procedure_update(
                procedure=procedure, actor=request.user, fee_text=fee_text, **data
            )
        except ValidationError as e:
            error = " ".join(e.messages)
        else:
            if versioned:
                messages.success(
                    request,
                    _("Thủ tục đã có hồ sơ: đã tạo phiên bản %(v)s; hồ sơ cũ giữ phiên bản trước.")
                    % {"v": new.version},
                )
            else:
                messages.success(request, _("Đã lưu thủ tục."))
            return redirect("procedures:procedure-detail", new.pk)
    return render(
        request,
        "procedures/edit.html",
        {"procedure": procedure, "form": form, "error": error},
        status=400 if (form.errors or error) else 200,
    )
