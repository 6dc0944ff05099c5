"""Two-factor sign-in (TOTP through django-otp), on by default for the staff.

Who must use it: the administrators (``is_staff``/``is_superuser``, the admin site) and every
staff role (``Role``: each of them can change records), unless ``RolePolicy`` switches a role
off; a ``RolePolicy`` switched on also requires it. ``CCHC_TWO_FACTOR_REQUIRED=false``
(settings.TWO_FACTOR_REQUIRED) removes the default for a demo or a test bed, leaving only the
roles an administrator switched on. People with no role (citizens) may enrol by choice.

After the password, a person who has a confirmed TOTP device, or whose role requires two-factor
sign-in, is *signed in but not verified*. ``TwoFactorMiddleware`` keeps such a session on the
code step (or the enrolment step when there is no device yet): pages redirect there and
session-authenticated API calls get 403 JSON. API calls with a token (``Authorization: Token``)
are not held: tokens are long random secrets that only an administrator issues
(``manage.py drf_create_token``) for machine clients, so they are not a password to be guessed;
DRF ignores the session when a token header is sent.
"""

import base64
import io
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from cchc.core.models import RolePolicy
from cchc.core.roles import Role
from cchc.core.services import audit_record

VERIFY, ENROL = "verify", "enrol"
FAILURES_SESSION_KEY = "cchc_otp_failures"
DEVICE_NAME = "Ứng dụng xác thực"


# The roles that require it unless their RolePolicy says otherwise: all of them change records.
DEFAULT_ROLES = tuple(str(role) for role in Role)


def _required(user_ref) -> Q:
    """Whether the person (an OuterRef to their pk) must use two-factor sign-in."""
    required = Q(Exists(RolePolicy.objects.filter(group__user=user_ref, require_two_factor=True)))
    if settings.TWO_FACTOR_REQUIRED:
        from django.contrib.auth.models import Group

        groups = Group.objects
        required |= (
            Q(is_staff=True)
            | Q(is_superuser=True)
            | Q(Exists(groups.filter(user=user_ref, name__in=DEFAULT_ROLES, policy__isnull=True)))
        )
    return required


def role_requires_two_factor(user) -> bool:
    return two_factor_state(user, fresh=True)[1]


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


# What every signed-in request needs to know, (has a confirmed device, a role requires it), is
# kept in the cache so that the check costs no query: one entry per person, dropped when the
# person's devices change, and all of them at once (a new generation) when a policy or a
# group membership changes. With a per-process cache (no REDIS_URL) another process may
# answer from its copy for at most STATE_SECONDS.
STATE_SECONDS = 300
_GENERATION_KEY = "cchc:2fa:generation"


def _state_key(user_pk) -> str:
    generation = cache.get(_GENERATION_KEY)
    if generation is None:
        generation = 1
        cache.add(_GENERATION_KEY, generation, None)
    return f"cchc:2fa:{generation}:{user_pk}"


def _compute_state(user_pk) -> tuple[bool, bool]:
    row = (
        get_user_model()
        .objects.filter(pk=user_pk)
        .annotate(
            has_device=Exists(TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True)),
            required=ExpressionWrapper(_required(OuterRef("pk")), output_field=BooleanField()),
        )
        .values_list("has_device", "required")
        .first()
    )
    return (bool(row[0]), bool(row[1])) if row else (False, False)


def two_factor_state(user, fresh: bool = False) -> tuple[bool, bool]:
    key = _state_key(user.pk)
    state = None if fresh else cache.get(key)
    if state is None:
        state = _compute_state(user.pk)
        cache.set(key, state, STATE_SECONDS)
    return tuple(state)


def forget_person(user_pk) -> None:
    cache.delete(_state_key(user_pk))


def forget_everyone() -> None:
    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:
        cache.set(_GENERATION_KEY, 2, None)


def _device_changed(sender, instance, **kwargs):
    forget_person(instance.user_id)


def _policy_changed(sender, **kwargs):
    forget_everyone()


def _membership_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        forget_everyone()


def _user_saved(sender, instance, update_fields=None, **kwargs):
    if update_fields is None or {"is_staff", "is_superuser"} & set(update_fields):
        forget_person(instance.pk)  # not for the last_login that every sign-in saves


def _setting_changed(sender, setting, **kwargs):
    if setting == "TWO_FACTOR_REQUIRED":
        forget_everyone()


def _logged_in(sender, request, user, **kwargs):
    two_factor_state(user, fresh=True)  # warm: the next requests need no query


def connect_signals() -> None:
    for signal in (post_save, post_delete):
        signal.connect(_device_changed, sender=TOTPDevice, dispatch_uid="cchc_2fa_device")
        signal.connect(_policy_changed, sender=RolePolicy, dispatch_uid="cchc_2fa_policy")
    m2m_changed.connect(
        _membership_changed,
        sender=get_user_model().groups.through,
        dispatch_uid="cchc_2fa_groups",
    )
    post_save.connect(_user_saved, sender=get_user_model(), dispatch_uid="cchc_2fa_user")
    setting_changed.connect(_setting_changed, dispatch_uid="cchc_2fa_setting")
    user_logged_in.connect(_logged_in, dispatch_uid="cchc_2fa_login")


def pending_step(request, fresh: bool = False) -> str | None:
    """What a signed-in person still owes: VERIFY (a code), ENROL (a device first), or None."""
    user = request.user
    # Right after login() request.user is the plain user, without OTPMiddleware's is_verified.
    is_verified = getattr(user, "is_verified", None)
    if not user.is_authenticated or (is_verified is not None and is_verified()):
        return None
    has_device, required = two_factor_state(user, fresh=fresh)
    if has_device:
        return VERIFY
    if required:
        return ENROL
    return None


def step_url(step: str, next_url: str = "") -> str:
    url = reverse("core:otp_verify" if step == VERIFY else "core:otp_enrol")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _exempt_paths():
    return (
        reverse("core:otp_verify"),
        reverse("core:otp_enrol"),
        reverse("logout"),
        reverse("healthz"),
        settings.STATIC_URL,
    )


class TwoFactorMiddleware:
    """Holds a signed-in but unverified session on the code or enrolment step."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated:  # owes nothing: skip the exempt-path reverse()s
            return self.get_response(request)
        path = request.path_info
        api = path.startswith("/api/")
        token_client = api and request.headers.get("Authorization", "").startswith("Token ")
        if not token_client and not path.startswith(_exempt_paths()):
            step = pending_step(request)
            if step is not None:
                if api:
                    message = (
                        _("Bạn cần nhập mã xác thực hai bước trước khi dùng API.")
                        if step == VERIFY
                        else _("Bạn cần thiết lập xác thực hai bước trước khi dùng API.")
                    )
                    return JsonResponse(
                        {"errors": [{"field": None, "message": message}]}, status=403
                    )
                url = step_url(step, request.get_full_path())
                if request.headers.get("HX-Request") == "true":
                    # An htmx request would swap the step page into a fragment: go there whole.
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = url
                    return response
                return redirect(url)
        return self.get_response(request)


# --- device life cycle -------------------------------------------------------------------


def enrolment_device(user) -> TOTPDevice:
    """The person's unconfirmed device being set up (one at a time), created on first visit."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The key as the base32 text that authenticator apps accept, in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_svg(device: TOTPDevice) -> str:
    import qrcode
    import qrcode.image.svg

    out = io.BytesIO()
    qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage).save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg") :]  # drop the XML declaration: it is inlined in HTML


def device_confirm(*, request, device: TOTPDevice) -> None:
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
        audit_record(actor=request.user, obj=request.user, action="two_factor_enrolled")


def device_remove(*, request, device: TOTPDevice) -> None:
    with transaction.atomic():
        audit_record(actor=request.user, obj=request.user, action="two_factor_removed")
        device.delete()
