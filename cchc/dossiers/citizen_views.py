"""\"My dossiers\" (Hồ sơ của tôi): a signed-in person's own dossiers, what is asked of them and
the forms they may download; adding a dossier filed without an account (or on paper at the
desk) with its code and lookup secret. Every fetch goes through selectors.dossiers_owned_by:
anyone else, citizen or staff of any agency, gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cchc.core import ratelimits
from cchc.dossiers import documents, selectors, services
from cchc.dossiers.forms import ClaimForm
from cchc.dossiers.views import WRONG_CODE_OR_SECRET


def claim_limited(request) -> bool:
    """Claims are secrets tried: counted per address and per account (an account cannot try
    secrets from many addresses), and towards the address's lookup limit like the supplement
    page. Every request is counted, before the work."""
    over = (
        ratelimits.limited(request, "dossier-claim"),
        ratelimits.limited(request, "dossier-claim", key=f"user:{request.user.pk}"),
        ratelimits.limited(request, "dossier-lookup"),
    )
    return any(over)


def _rows(user):
    return [
        {
            "dossier": dossier,
            "asks": selectors.asked_of_applicant(dossier),
            "forms": selectors.applicant_forms(dossier),
        }
        for dossier in selectors.dossiers_owned_by(user)
    ]


@login_required
def my_dossiers(request):
    """The list, and the form that adds a dossier with its code and secret (POST)."""
    form = ClaimForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if claim_limited(request):
            return ratelimits.too_many_page(request)
        if form.is_valid():
            try:
                dossier, added = services.dossier_claim(user=request.user, **form.cleaned_data)
            except PermissionDenied:  # an unknown code or a wrong secret: the same answer
                form.add_error(None, WRONG_CODE_OR_SECRET)
            except services.AlreadyClaimed as error:
                form.add_error(None, error.messages[0])
            else:
                text = (
                    _("Đã thêm hồ sơ %(code)s vào danh sách của bạn.")
                    if added
                    else _("Hồ sơ %(code)s đã có trong danh sách của bạn.")
                )
                messages.success(request, text % {"code": dossier.code})
                return redirect("dossiers:my-dossiers")
        status = 400
    return render(
        request,
        "dossiers/my_list.html",
        {"rows": _rows(request.user), "form": form},
        status=status,
    )


@require_safe
@login_required
def my_dossier(request, code):
    dossier = selectors.get_owned_dossier(request.user, code)
    return render(
        request,
        "dossiers/my_detail.html",
        {
            "dossier": dossier,
            "asks": selectors.asked_of_applicant(dossier),
            "forms": selectors.applicant_forms(dossier),
            "timeline": selectors.timeline(dossier),
        },
    )


@require_safe
@login_required
def my_dossier_form(request, code, form_code, fmt):
    """The applicant's copy of BM.01-BM.04 (PDF or HTML), once its event happened."""
    dossier = selectors.get_owned_dossier(request.user, code)
    if (
        form_code not in selectors.APPLICANT_FORMS
        or fmt not in ("pdf", "html")
        or not documents.applies(dossier, form_code)
    ):
        raise Http404
    if fmt == "pdf":
        response = HttpResponse(
            documents.form_pdf(dossier, form_code), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'inline; filename="{dossier.code}-{form_code}.pdf"'
        return response
    return render(request, "dossiers/my_form.html", documents.form_context(dossier, form_code))
