"""Online payment pages: start (the citizen, with the lookup credentials), the platform's
callback (server to server, signed) and the page the platform sends the citizen back to."""

import contextlib
import datetime as dt
import json

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from cchc.core import ratelimits
from cchc.core.clientip import client_ip
from cchc.dossiers import selectors as dossier_selectors
from cchc.payments import gateway, selectors, services
from cchc.payments.forms import PaymentStartForm


def _refused(request, message, status):
    return render(request, "payments/refused.html", {"message": message}, status=status)


@require_POST
def payment_start(request):
    # Counted with the lookups: the secret is tried here as on the lookup page.
    if ratelimits.limited(request, "dossier-lookup"):
        return _refused(
            request, _("Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau ít phút."), 429
        )
    form = PaymentStartForm(request.POST)
    dossier = None
    if form.is_valid():
        dossier = dossier_selectors.lookup(form.cleaned_data["code"])
    if dossier is None or not dossier_selectors.may_see_details(
        dossier, form.cleaned_data["secret"]
    ):
        return _refused(request, _("Mã hồ sơ hoặc mã tra cứu không đúng."), 400)
    try:
        payment = services.payment_start(dossier=dossier, ip=client_ip(request))
    except ValidationError as error:
        return _refused(request, " ".join(error.messages), 409)
    return redirect(payment.redirect_url)


@csrf_exempt  # called by the payment platform, authenticated by MaXacThuc
@require_POST
def payment_callback(request):
    try:
        message = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        message = request.POST.dict() or None
    answer = services.payment_callback(message=message)
    return JsonResponse(answer, status=200 if answer["MaLoi"] == gateway.OK else 400)


@require_safe
def payment_return(request, reference):
    """The state as recorded here (query parameters the platform adds are not believed); a
    transaction still pending is checked with the platform once."""
    payment = selectors.payment_by_reference(reference)
    recently = timezone.now() - dt.timedelta(seconds=30)
    if payment.state == payment.State.PENDING and not (
        payment.checked_at and payment.checked_at > recently
    ):  # at most one question to the platform per transaction every 30 seconds
        with contextlib.suppress(gateway.PlatformError):
            payment = services.payment_check(payment=payment)
    return render(request, "payments/return.html", {"payment": payment})
