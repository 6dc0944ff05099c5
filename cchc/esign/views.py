from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from cchc.core import ratelimits
from cchc.core.permissions import require_staff
from cchc.dossiers import selectors as dossier_selectors
from cchc.esign import selectors
from cchc.esign.forms import CodeForm, UploadForm
from cchc.esign.services import verify_pdf

FLOOD = gettext_lazy("Bạn đã kiểm tra quá nhiều lần. Vui lòng thử lại sau ít phút.")


@require_http_methods(["GET", "HEAD", "POST"])
def signature_verify(request):
    """Public: an uploaded PDF, or the signed documents of a dossier (code + lookup secret,
    the same secret as the lookup page: the documents are personal)."""
    upload_form, code_form = UploadForm(prefix="file"), CodeForm(prefix="code")
    context, status = {}, 200
    if request.method == "POST":
        if ratelimits.limited(request, "signature-verify"):
            return ratelimits.too_many_page(request, FLOOD)
        if request.POST.get("mode") == "code":
            code_form = CodeForm(request.POST, prefix="code")
            context, status = _by_code(request, code_form)
        else:
            upload_form = UploadForm(request.POST, request.FILES, prefix="file")
            if upload_form.is_valid():
                context["result"] = verify_pdf(upload_form.cleaned_data["pdf"])
                context["issued"] = selectors.issued_by_us(upload_form.sha256)
            else:
                status = 400
    context.update(upload_form=upload_form, code_form=code_form)
    return render(request, "esign/verify.html", context, status=status)


def _by_code(request, form) -> tuple[dict, int]:
    if not form.is_valid():
        return {}, 400
    # a secret tried here counts against the lookup page's budget too
    if ratelimits.limited(request, "dossier-lookup"):
        return {"error": FLOOD}, 429
    dossier = dossier_selectors.lookup(form.cleaned_data["code"])
    if dossier is None or not dossier_selectors.may_see_details(
        dossier, form.cleaned_data["secret"]
    ):
        return {"error": _("Mã hồ sơ hoặc mã tra cứu không đúng.")}, 200
    return {"dossier": dossier, "documents": selectors.checked_documents(dossier)}, 200


@require_safe
def dossier_signatures(request, code):
    """Staff of the dossier's agency: every document signed for it, re-verified."""
    require_staff(request.user)
    dossier = dossier_selectors.get_dossier_for_user(request.user, code)
    return render(
        request,
        "esign/dossier_signatures.html",
        {"dossier": dossier, "documents": selectors.checked_documents(dossier)},
    )
