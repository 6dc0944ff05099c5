"""The public page /chu-ky-so/kiem-tra/: upload a PDF or give a dossier code and its lookup
secret; and the staff page of a dossier's signed documents."""

import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from cchc.core.models import Agency
from cchc.dossiers import services
from cchc.dossiers.tests.helpers import DeskTestCase, at
from cchc.esign import services as esign
from cchc.esign.tests.helpers import DemoCertificateMixin, blank_pdf

PAGE = "/chu-ky-so/kiem-tra/"


class VerifyPageTest(DemoCertificateMixin, DeskTestCase):
    def setUp(self):
        cache.clear()
        traveller = time_machine.travel(at(2026, 3, 3, 10), tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)
        self.agency_row = Agency(code="SKHCN", name="Sở KHCN", place_name="Phú Thọ")

    def signed(self) -> bytes:
        return esign.sign_pdf(pdf=blank_pdf(), agency=self.agency_row, reason="r", location="l")

    def upload(self, content: bytes, name="van-ban.pdf"):
        return self.client.post(
            PAGE,
            {"mode": "file", "file-pdf": SimpleUploadedFile(name, content, "application/pdf")},
        )

    def test_anyone_may_open_the_page(self):
        response = self.client.get(PAGE)
        self.assertContains(response, "Kiểm tra chữ ký số")
        self.assertNotContains(response, "<script>")

    def test_a_signed_pdf_shows_valid_who_and_when_and_that_the_certificate_is_a_demo(self):
        response = self.upload(self.signed())
        self.assertContains(response, 'data-valid="true"')
        self.assertContains(response, "Chữ ký số hợp lệ, tài liệu không bị thay đổi sau khi ký")
        self.assertContains(response, "Sở KHCN (CCHC DEMO")
        self.assertContains(response, "10:00:00 03/03/2026")
        self.assertContains(response, "chứng thư số minh họa")

    def test_a_tampered_pdf_is_shown_as_changed(self):
        tampered = self.signed().replace(b"/MediaBox [ 0 0 595 842 ]", b"/MediaBox [ 0 0 595 843 ]")
        response = self.upload(tampered)
        self.assertContains(response, 'data-valid="false"')
        self.assertContains(response, "đã bị thay đổi sau khi ký")

    def test_an_unsigned_pdf_has_no_signature(self):
        self.assertContains(self.upload(blank_pdf()), "Tệp PDF không có chữ ký số.")

    def test_a_file_that_is_not_a_pdf_gets_a_clear_error(self):
        response = self.upload(b"Just some text, not a PDF at all.\n", name="thu.pdf")
        self.assertContains(response, "không đúng loại cho phép", status_code=400)
        self.assertNotContains(response, "data-valid", status_code=400)

    def test_no_file_gets_a_clear_error(self):
        response = self.client.post(PAGE, {"mode": "file"})
        self.assertContains(response, "Hãy chọn tệp PDF cần kiểm tra.", status_code=400)

    @override_settings(ESIGN_MAX_UPLOAD_BYTES=1000)
    def test_a_file_over_the_limit_is_refused(self):
        response = self.upload(self.signed())
        self.assertContains(response, "quá", status_code=400)
        self.assertNotContains(response, "data-valid", status_code=400)

    def test_by_code_and_secret_the_dossiers_signed_documents_are_checked(self):
        dossier, secret = self.file_online(at(2026, 3, 2, 8))
        services.dossier_accept(actor=self.desk, dossier=dossier, at=at(2026, 3, 2, 9))
        self.client.force_login(self.desk)
        self.client.get(f"/ho-so/{dossier.code}/mau/bm01.pdf")
        self.client.logout()
        response = self.client.post(
            PAGE, {"mode": "code", "code-code": dossier.code, "code-secret": secret}
        )
        self.assertContains(response, "Giấy tiếp nhận hồ sơ và hẹn trả kết quả (BM.01)")
        self.assertContains(response, 'data-valid="true"')
        wrong = self.client.post(
            PAGE, {"mode": "code", "code-code": dossier.code, "code-secret": "SAI-MA"}
        )
        self.assertContains(wrong, "Mã hồ sơ hoặc mã tra cứu không đúng.")
        self.assertNotContains(wrong, "BM.01")

    def test_a_code_without_a_secret_gets_a_clear_error(self):
        response = self.client.post(PAGE, {"mode": "code", "code-code": "X"})
        self.assertContains(
            response, "Nhập mã tra cứu hoặc số điện thoại người nộp.", status_code=400
        )

    def test_odd_codes_get_a_clear_answer_and_are_shown_escaped(self):
        long = self.client.post(PAGE, {"mode": "code", "code-code": "X" * 200, "code-secret": "1"})
        self.assertContains(long, "tối đa 40", status_code=400)
        script = self.client.post(
            PAGE, {"mode": "code", "code-code": "<script>x</script>", "code-secret": "' OR 1=1"}
        )
        self.assertContains(script, "Mã hồ sơ hoặc mã tra cứu không đúng.")
        self.assertNotContains(script, "<script>x")
        self.assertContains(script, "&lt;script&gt;x")

    @override_settings(RATE_LIMITS={"signature-verify": "2/h", "dossier-lookup": "30/h"})
    def test_every_check_counts_towards_a_rate_limit(self):
        for _ in range(2):
            self.assertEqual(self.upload(blank_pdf()).status_code, 200)
        response = self.upload(blank_pdf())
        self.assertContains(response, "quá nhiều lần", status_code=429)


class DossierSignaturesPageTest(DemoCertificateMixin, DeskTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.make_other_agency_personas()

    def setUp(self):
        traveller = time_machine.travel(at(2026, 3, 3, 10), tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)
        self.dossier, _ = self.file_online(at(2026, 3, 2, 8))
        services.dossier_accept(actor=self.desk, dossier=self.dossier, at=at(2026, 3, 2, 9))
        self.url = f"/chu-ky-so/ho-so/{self.dossier.code}/"

    def test_staff_of_the_agency_see_the_signed_documents(self):
        self.client.force_login(self.desk)
        self.client.get(f"/ho-so/{self.dossier.code}/mau/bm01.pdf")
        response = self.client.get(self.url)
        self.assertContains(response, "Giấy tiếp nhận hồ sơ và hẹn trả kết quả (BM.01)")
        self.assertContains(response, 'data-valid="true"')

    def test_staff_of_another_agency_citizens_and_anonymous_get_404(self):
        self.client.force_login(self.desk)
        self.client.get(f"/ho-so/{self.dossier.code}/mau/bm01.pdf")
        for name in ("outsider_chief", "outsider_leader", "outsider", "citizen", "anonymous"):
            self.login_as(name)
            response = self.client.get(self.url)
            self.assertEqual(response.status_code, 404, name)
            self.assertNotContains(response, "BM.01", status_code=404)


class LinksTest(DeskTestCase):
    def test_the_lookup_page_links_to_the_check(self):
        self.assertContains(self.client.get("/ho-so/tra-cuu/"), f'href="{PAGE}"')
