"""Pages of the national-portal link: a dossier's sync log, the failures with "Gửi lại", and
the signed public file links the national side downloads."""

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cchc.core.files import upload_response
from cchc.core.permissions import require_staff
from cchc.core.transitions import TransitionError
from cchc.dossiers.models import DossierFile
from cchc.nationalportal import payload, selectors, services


@require_GET
def dossier_sync_log(request, code):
    require_staff(request.user)
    dossier, calls, outbox = selectors.sync_log_for_dossier(request.user, code)
    return render(
        request,
        "nationalportal/sync_log.html",
        {"dossier": dossier, "calls": calls, "outbox": outbox},
    )


@require_GET
def failures(request):
    rows = selectors.failures_for_user(request.user)
    return render(request, "nationalportal/failures.html", {"rows": rows})


@require_POST
def retry(request, pk):
    message = selectors.get_failure_for_user(request.user, pk)
    try:
        services.retry_message(actor=request.user, message=message)
    except (PermissionDenied, TransitionError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Đã đưa tin vào hàng chờ gửi lại."))
    return redirect("nationalportal:failures")


@require_GET
def public_file(request, token):
    """A file the national side fetches (TaiLieuNop, DanhSachGiayToKetQua): only with a valid,
    unexpired signed link; 404 otherwise."""
    try:
        file_id = payload.file_id_from_token(token)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Http404 from None
    item = get_object_or_404(DossierFile, pk=file_id)
    return upload_response(item.path, filename=item.original_name or item.name, mime=item.mime)
