"""Satisfaction pages: the applicant's rating of a returned dossier (public, through a signed
token given by the lookup page after the secret or by the link of the "returned" e-mail) and
the staff page of the month's ratings (who sees the dossier statistics)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from cchc.core import ratelimits
from cchc.dossiers import ratings
from cchc.dossiers.models import Rating
from cchc.dossiers.views import _stats_agency


def rate_url(token: str) -> str:
    return f"{reverse('dossiers:dossier-rate')}?{urlencode({'t': token})}"


@require_http_methods(["GET", "HEAD", "POST"])
def dossier_rate(request):
    """GET shows the dossier's public facts and the form (or why it cannot be rated); POST
    records the rating. Every POST counts towards the address's limit, before the work."""
    posted = request.method == "POST"
    if posted and ratelimits.limited(request, "dossier-rate"):
        return ratelimits.too_many_page(request)
    token = (request.POST if posted else request.GET).get("t", "")[:500]
    form = ratings.RatingForm(request.POST if posted else None, initial={"t": token})
    context = {"form": form, "token": token}
    try:
        dossier = ratings.rating_dossier(token)
    except ValidationError as error:
        context["error"] = error.messages[0]
        return render(request, "dossiers/rate.html", context, status=400)
    context.update(dossier=dossier, rating=getattr(dossier, "rating", None))
    if not posted:
        # A given rating is shown as such (also right after the applicant's own post).
        if context["rating"] is None and not ratings.may_rate(dossier):
            context["error"] = ratings.NOT_RETURNED
        return render(request, "dossiers/rate.html", context)
    if form.is_valid():
        try:
            ratings.rating_submit(
                dossier=dossier,
                level=form.cleaned_data["level"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field, errors)
            else:
                context["error"] = error.messages[0]
                context["rating"] = Rating.objects.filter(dossier=dossier).first()
        else:
            messages.success(request, _("Cảm ơn ông/bà đã đánh giá mức độ hài lòng."))
            return redirect(rate_url(token))
    return render(request, "dossiers/rate.html", context, status=400)


@require_safe
def satisfaction_page(request):
    """The month's ratings of the person's agency and the summary sent to the national portal."""
    agency = _stats_agency(request.user)
    error = ""
    try:
        month = ratings.parse_month(request.GET.get("thang", "")[:20], today=timezone.localdate())
    except ValueError as bad:
        error = str(bad)
        month = timezone.localdate().replace(day=1)
    context = {
        "error": error,
        "agency": agency,
        "month": month,
        "summary": ratings.satisfaction_summary(agency=agency, month=month),
        "procedures": ratings.satisfaction_by_procedure(agency=agency, month=month),
        "ratings": ratings.month_ratings(agency=agency, month=month),
    }
    return render(request, "dossiers/satisfaction.html", context, status=400 if error else 200)
