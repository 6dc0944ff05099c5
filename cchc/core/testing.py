"""Test helpers: personas (the roles of docs/design.md) shared by every app's tests."""

from django.contrib.auth.models import Group
from django.test import Client, TestCase

from cchc.core.models import Agency, Unit, User
from cchc.core.roles import Role

PERSONAS = (
    "officer_a",
    "leader_a",
    "officer_b",
    "agency_leader",
    "outsider",
    "citizen",
    "anonymous",
)
# Two more personas every PersonaTestCase has (kept out of PERSONAS so that tables keyed on
# PERSONAS stay valid): a member of the PAR Index appraisal council and a portal editor.
EXTRA_PERSONAS = ("appraiser", "editor")
# The same roles in ANOTHER agency (created by PersonaTestCase.make_other_agency_personas):
# each must be refused everything of this agency that is not public. `outsider` is the
# specialist; `outsider_chief` holds every agency-wide and desk role of its agency at once.
OTHER_AGENCY_PERSONAS = {
    "outsider_leader": (Role.UNIT_LEADER,),
    "outsider_appraiser": (Role.APPRAISER,),
    "outsider_editor": (Role.EDITOR,),
    "outsider_chief": (
        Role.AGENCY_LEADER,
        Role.REFORM_FOCAL_POINT,
        Role.SYSTEM_ADMIN,
        Role.ONE_STOP_OFFICER,
        Role.PETITION_HANDLER,
        Role.EDITOR,
    ),
}


def make_agency(
    code: str = "TEST", name: str = "Sở Khoa học và Công nghệ tỉnh Thử Nghiệm"
) -> Agency:
    return Agency.objects.create(
        code=code,
        name=name,
        short_name="SKHCN",
        superior_body="UBND tỉnh Thử Nghiệm",
        place_name="Thử Nghiệm",
    )


def make_user(username: str, unit: Unit | None, roles=(), **extra) -> User:
    user = User.objects.create_user(
        username=username, password="pw-" + username, unit=unit, **extra
    )
    if roles:
        user.groups.set([Group.objects.get_or_create(name=str(role))[0] for role in roles])
    return user


def verify_two_factor(client, user) -> None:
    """Make the client's session of `user` a verified two-factor one, as a successful code
    does: the person's confirmed TOTP device (one is made if they have none) is recorded in
    the session the way django_otp.login() records it. Only when they owe a step."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cchc.core import twofactor

    has_device, required = twofactor.two_factor_state(user, fresh=True)
    if not (has_device or required):
        return
    device = twofactor.confirmed_device(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Thiết bị kiểm thử", confirmed=True)
        twofactor.two_factor_state(user, fresh=True)  # cached again, as after a real login
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


class VerifiedClient(Client):
    """The test client whose login() and force_login() also pass the two-factor step (staff
    roles require it by default). Tests of the step itself use django.test.Client, or sign in
    through the login page."""

    def _login(self, user, backend=None):  # what login() and force_login() both end with
        super()._login(user, backend)
        verify_two_factor(self, user)


class PersonaTestCase(TestCase):
    """Creates one agency with units A and B, another agency, and these personas:

    officer_a (specialist, unit A), leader_a (unit leader, unit A), officer_b (specialist,
    unit B), agency_leader (agency-wide), outsider (specialist of another agency), citizen
    (no unit), and anonymous (no login); also `appraiser` (appraisal council member) and
    `editor` (portal editor), both in the leadership office. Their usernames are
    "council_member" and "portal_editor", so subclasses may still create "appraiser"/"editor".

    ``self.client.force_login`` (and ``login_as``) give a session that passed two-factor
    sign-in (VerifiedClient); sign in through the login page to test the step itself.
    """

    client_class = VerifiedClient

    @classmethod
    def setUpTestData(cls):
        cls.agency = make_agency()
        cls.leadership = Unit.objects.create(
            agency=cls.agency, code="BGD", name="Ban Giám đốc", kind=Unit.Kind.LEADERSHIP
        )
        cls.unit_a = Unit.objects.create(
            agency=cls.agency, code="A", name="Phòng A", kind=Unit.Kind.TECHNOLOGY_MANAGEMENT
        )
        cls.unit_b = Unit.objects.create(
            agency=cls.agency, code="B", name="Phòng B", kind=Unit.Kind.SCIENCE_MANAGEMENT
        )
        cls.other_agency = make_agency("OTHER", "Sở Khoa học và Công nghệ tỉnh Khác")
        cls.other_unit = Unit.objects.create(
            agency=cls.other_agency, code="A", name="Phòng A (cơ quan khác)"
        )
        cls.officer_a = make_user("officer_a", cls.unit_a, [Role.SPECIALIST])
        cls.leader_a = make_user("leader_a", cls.unit_a, [Role.UNIT_LEADER])
        cls.officer_b = make_user("officer_b", cls.unit_b, [Role.SPECIALIST])
        cls.agency_leader = make_user("agency_leader", cls.leadership, [Role.AGENCY_LEADER])
        cls.outsider = make_user("outsider", cls.other_unit, [Role.SPECIALIST])
        cls.citizen = make_user("citizen", None)
        cls.appraiser = make_user("council_member", cls.leadership, [Role.APPRAISER])
        cls.editor = make_user("portal_editor", cls.leadership, [Role.EDITOR])

    @classmethod
    def make_other_agency_personas(cls):
        """The personas of OTHER_AGENCY_PERSONAS, in the other agency's unit."""
        for name, roles in OTHER_AGENCY_PERSONAS.items():
            setattr(cls, name, make_user(name, cls.other_unit, roles))

    def persona(self, name: str):
        return None if name == "anonymous" else getattr(self, name)

    def login_as(self, name: str):
        self.client.logout()
        user = self.persona(name)
        if user is not None:
            self.client.force_login(user)
        return user


def browser_enrol_two_factor(page) -> None:
    """In a browser test, right after the password: when the sign-in stops at the enrolment
    step (staff roles require two-factor sign-in), do what the person does: take the key the
    page shows, compute the current code as an authenticator app would, and confirm it."""
    import base64
    from urllib.parse import urlparse

    from django_otp.oath import totp

    page.wait_for_url(lambda url: urlparse(url).path != "/dang-nhap/")  # the password taken
    if "/dang-nhap/thiet-lap-xac-thuc/" not in page.url:
        return
    secret = page.locator("#otp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.fill("#id_code", f"{totp(key):06d}")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/dang-nhap/" not in url)
