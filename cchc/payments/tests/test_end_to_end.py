"""The whole payment over real HTTP: the product on a live server, the platform stand-in on
another port; the citizen's browser is a requests session following the pages."""

import re
from decimal import Decimal

import pytest
import requests

from cchc.core.models import Agency, Unit
from cchc.core.roles import Role
from cchc.core.testing import make_user
from cchc.dossiers import services
from cchc.dossiers.models import Dossier, PaidOnline, Status
from cchc.dossiers.tests.helpers import APPLICANT, at, make_procedure, pdf_upload
from cchc.payments import standin
from cchc.payments.models import PaymentTransaction
from cchc.payments.tests.helpers import PARTNER, SECRET, mac

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def platform(live_server, settings):
    app = standin.make_app(
        {
            PARTNER: {
                "secret": SECRET,
                "callback_url": f"{live_server.url}/thanh-toan/ket-qua/",
                "return_url": live_server.url + "/thanh-toan/tro-ve/{MaThamChieu}/",
            }
        }
    )
    server = standin.serve(app)
    settings.PAYMENT_PLATFORM_URL = f"http://127.0.0.1:{server.server_port}/"
    settings.PAYMENT_PARTNER_CODE, settings.PAYMENT_SECRET = PARTNER, SECRET
    yield app
    server.shutdown()
    server.server_close()


@pytest.fixture
def waiting_for_fees():
    agency = Agency.objects.create(
        code="TEST", name="Sở KH&CN Thử Nghiệm", national_code="000.00.12.H56"
    )
    office = Unit.objects.create(agency=agency, code="VP", name="Văn phòng")
    desk = make_user("motcua", office, [Role.ONE_STOP_OFFICER])
    procedure = make_procedure(steps=[("Thẩm định", "3", office), ("Ký duyệt", "1", office)])
    component = procedure.components.first()
    dossier, secret = services.dossier_file_online(
        procedure=procedure,
        applicant=APPLICANT,
        files={f"component_{component.pk}": pdf_upload()},
        agency=agency,
        at=at(2026, 3, 2, 9),
    )
    services.dossier_accept(actor=desk, dossier=dossier, at=at(2026, 3, 2, 10))
    services.dossier_hand_over(actor=desk, dossier=dossier, at=at(2026, 3, 2, 11))
    services.dossier_require_fees(
        actor=desk, dossier=dossier, amount=Decimal(350000), at=at(2026, 3, 3, 9)
    )
    return dossier, secret


def test_pay_on_the_platform_page_and_the_dossier_goes_on(live_server, platform, waiting_for_fees):
    dossier, secret = waiting_for_fees
    browser = requests.Session()
    lookup = browser.get(
        f"{live_server.url}/ho-so/tra-cuu/", params={"code": dossier.code, "secret": secret}
    )
    assert 'id="payment-total">350.000<' in lookup.text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', lookup.text).group(1)
    started = browser.post(
        f"{live_server.url}/thanh-toan/bat-dau/",
        data={"csrfmiddlewaretoken": token, "code": dossier.code, "secret": secret},
        allow_redirects=False,
    )
    assert started.status_code == 302
    page = browser.get(started.headers["Location"])
    assert "Thanh toán</button>" in page.text and "350000" in page.text
    returned = browser.post(started.headers["Location"], data={"action": "pay"})
    # the platform called back (and our answer was signed), then sent the citizen back
    [callback] = platform.callbacks
    assert callback["status"] == 200 and callback["answer"]["MaLoi"] == "00"
    assert callback["answer"]["MaXacThuc"] == mac(callback["answer"], "callback-reply")
    assert returned.url.startswith(f"{live_server.url}/thanh-toan/tro-ve/")
    assert 'data-state="paid"' in returned.text
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert (dossier.status, dossier.paid_online) == (Status.PROCESSING, PaidOnline.NATIONAL)
    assert dossier.handovers.order_by("-id").first().action == "fees_paid"
    assert PaymentTransaction.objects.get().state == "paid"


def test_cancel_on_the_platform_page_leaves_the_dossier_waiting(
    live_server, platform, waiting_for_fees
):
    dossier, secret = waiting_for_fees
    browser = requests.Session()
    lookup = browser.get(
        f"{live_server.url}/ho-so/tra-cuu/", params={"code": dossier.code, "secret": secret}
    )
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', lookup.text).group(1)
    started = browser.post(
        f"{live_server.url}/thanh-toan/bat-dau/",
        data={"csrfmiddlewaretoken": token, "code": dossier.code, "secret": secret},
        allow_redirects=False,
    )
    returned = browser.post(started.headers["Location"], data={"action": "cancel"})
    assert 'data-state="failed"' in returned.text
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.status == Status.FEES
    assert dossier.fees.get().paid_at is None
