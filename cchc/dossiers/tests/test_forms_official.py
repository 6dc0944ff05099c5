"""The official forms BM.01-BM.06 rendered to PDF, read back with pypdf: every required part
present, in the order of the official template, and the two-column header unbroken."""

import io
import re

import qrcode
import time_machine
from pypdf import PdfReader

from cchc.core.models import Agency
from cchc.dossiers import services
from cchc.dossiers.tests.helpers import DeskTestCase, at, xlsx_rows

NATIONAL = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
SUPERIOR = "ỦY BAN NHÂN DÂN TỈNH PHÚ THỌ"
AGENCY = "SỞ KHOA HỌC VÀ CÔNG NGHỆ"
RAW_CODES = ("hand_over", "on_time", "early", "late", "accept", "one_stop_officer", "specialist")


def pdf_pages(content: bytes) -> list[str]:
    assert content.startswith(b"%PDF"), content[:100]
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text)


class OfficialFormTestCase(DeskTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Agency.objects.filter(pk=cls.agency.pk).update(
            name="Sở Khoa học và Công nghệ tỉnh Phú Thọ",
            superior_body="Ủy ban nhân dân tỉnh Phú Thọ",
            place_name="Phú Thọ",
            phone="0210 3800 000",
            address="Đường Trần Phú, phường Việt Trì, tỉnh Phú Thọ",
        )
        cls.agency.refresh_from_db()
        cls.desk.first_name, cls.desk.last_name = "Hà", "Trần Thu"
        cls.desk.save()

    def setUp(self):
        traveller = time_machine.travel(at(2026, 3, 3, 10), tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)
        self.client.force_login(self.desk)
        self.dossier, _ = self.file_online(at(2026, 3, 2, 8))

    def accept(self, dossier=None):
        return services.dossier_accept(
            actor=self.desk, dossier=dossier or self.dossier, at=at(2026, 3, 2, 9)
        )

    def form(self, code: str, fmt: str = "pdf"):
        response = self.client.get(f"/ho-so/{self.dossier.code}/mau/{code}.{fmt}")
        self.assertEqual(response.status_code, 200, code)
        return response

    def assertInOrder(self, text: str, parts):
        flat = squeeze(text)
        position = 0
        for part in parts:
            found = flat.find(part, position)
            self.assertNotEqual(found, -1, f"{part!r} missing after position {position}:\n{flat}")
            position = found + len(part)

    def assertHeaderUnbroken(self, text: str):
        lines = [line.replace("\xa0", " ").strip() for line in text.splitlines()]
        for line, following in zip(lines, lines[1:], strict=False):
            self.assertFalse(
                line.endswith("PHÚ") and following.startswith("THỌ"), f"{line!r} / {following!r}"
            )
        for whole in (SUPERIOR, AGENCY, NATIONAL, MOTTO):
            self.assertTrue(any(whole in line for line in lines), f"{whole!r} broken:\n{text}")


class ReceiptTests(OfficialFormTestCase):
    def test_bm01_has_the_official_parts_in_order_with_the_signatures_on_page_one(self):
        self.accept()
        pages = pdf_pages(self.form("bm01").content)
        first = pages[0]
        self.assertHeaderUnbroken(first)
        self.assertInOrder(
            first,
            [
                SUPERIOR,
                AGENCY,
                "BỘ PHẬN MỘT CỬA",
                NATIONAL,
                MOTTO,
                "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
                f"Mã hồ sơ: {self.dossier.code}",
                "Nguyễn Văn An",
                "Nội dung yêu cầu giải quyết",
                "Thành phần hồ sơ",
                "Đơn đề nghị",
                "Số lượng hồ sơ: 01 bộ",
                "Thời gian giải quyết hồ sơ theo quy định",
                "Thời gian nhận hồ sơ: 09 giờ 00 phút, ngày 02 tháng 03 năm 2026",
                "Thời gian trả kết quả giải quyết hồ sơ",
                "Vào Sổ theo dõi hồ sơ, Quyển số: 2026, Số thứ tự: 1",
                "NGƯỜI NỘP HỒ SƠ",
                "NGƯỜI TIẾP NHẬN HỒ SƠ",
                "Trần Thu Hà",
            ],
        )
        self.assertEqual(len(pages), 1, pages)
        # The due-date explanation stays on the lookup page and BM.05, not on the receipt.
        self.assertNotIn("Cách tính hạn", first)

    def test_bm01_qr_code_holds_the_public_lookup_url(self):
        self.accept()
        url = f"http://testserver/ho-so/tra-cuu/?code={self.dossier.code}"
        html = self.form("bm01", "html").content.decode()
        svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
        # Read the modules back from the SVG path and compare with the QR of the URL.
        cells = {
            (round(float(x) / 0.6), round(float(y) / 0.6))
            for x, y in re.findall(r"M([\d.]+),([\d.]+)H", svg)
        }
        code = qrcode.QRCode(border=1)
        code.add_data(url)
        expected = {
            (x, y) for y, row in enumerate(code.get_matrix()) for x, dark in enumerate(row) if dark
        }
        self.assertEqual(cells, expected)
        self.assertIn(url, squeeze(pdf_pages(self.form("bm01").content)[0]).replace(" ", ""))

    def test_the_book_entry_number_counts_the_agency_year(self):
        self.accept()
        second, _ = self.file_online(at(2026, 3, 2, 8, 30))
        services.dossier_accept(actor=self.desk, dossier=second, at=at(2026, 3, 2, 10))
        text = pdf_pages(self.client.get(f"/ho-so/{second.code}/mau/bm01.pdf").content)[0]
        self.assertIn("Quyển số: 2026, Số thứ tự: 2", squeeze(text))


class DeskSlipTests(OfficialFormTestCase):
    def test_bm02_is_signed_by_the_receiving_one_stop_officer(self):
        services.dossier_request_supplement(
            actor=self.desk, dossier=self.dossier, items="Bản sao hợp đồng chuyển giao công nghệ"
        )
        text = pdf_pages(self.form("bm02").content)[0]
        self.assertHeaderUnbroken(text)
        self.assertInOrder(
            text,
            [
                NATIONAL,
                "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
                "Nguyễn Văn An",
                "Bản sao hợp đồng chuyển giao công nghệ",
                "0210 3800 000",
                "NGƯỜI TIẾP NHẬN HỒ SƠ",
                "Trần Thu Hà",
            ],
        )
        self.assertNotIn("NGƯỜI NỘP HỒ SƠ", text)

    def test_bm03_is_signed_by_the_receiving_one_stop_officer(self):
        services.dossier_refuse(actor=self.desk, dossier=self.dossier, reason="Sai thẩm quyền")
        text = pdf_pages(self.form("bm03").content)[0]
        self.assertHeaderUnbroken(text)
        self.assertInOrder(
            text,
            [
                NATIONAL,
                "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
                "Nguyễn Văn An",
                "Sai thẩm quyền",
                "NGƯỜI TIẾP NHẬN HỒ SƠ",
                "Trần Thu Hà",
            ],
        )
        self.assertNotIn("NGƯỜI NỘP HỒ SƠ", text)

    def test_bm04_is_signed_by_the_head_of_the_agency_with_the_seal(self):
        self.accept()
        services.dossier_apologise(
            actor=self.agency_leader,
            dossier=self.dossier,
            reason="Cần lấy ý kiến chuyên gia",
            new_due_at=at(2026, 3, 20, 16),
        )
        text = pdf_pages(self.form("bm04").content)[0]
        self.assertHeaderUnbroken(text)
        self.assertInOrder(
            text,
            [
                NATIONAL,
                "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
                "Kính gửi",
                "Nguyễn Văn An",
                "Cần lấy ý kiến chuyên gia",
                "16 giờ 00 phút, ngày 20 tháng 03 năm 2026",
                "Nơi nhận",
                "THỦ TRƯỞNG CƠ QUAN",
                "(Ký, ghi rõ họ tên và đóng dấu)",
            ],
        )
        self.assertNotIn("NGƯỜI TIẾP NHẬN HỒ SƠ", text)
        self.assertNotIn("NGƯỜI NỘP HỒ SƠ", text)


class ControlSlipTests(OfficialFormTestCase):
    def test_bm05_lists_each_hand_over_in_vietnamese_with_signature_columns(self):
        self.accept()
        services.dossier_hand_over(actor=self.desk, dossier=self.dossier, at=at(2026, 3, 2, 10))
        services.dossier_hand_over(actor=self.officer_a, dossier=self.dossier, at=at(2026, 3, 3, 9))
        services.dossier_decide(
            actor=self.agency_leader, dossier=self.dossier, result_text="Đã cấp giấy chứng nhận"
        )
        text = "\n".join(pdf_pages(self.form("bm05").content))
        self.assertHeaderUnbroken(text)
        self.assertInOrder(
            text,
            [
                NATIONAL,
                "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
                f"Mã hồ sơ: {self.dossier.code}",
                "Nguyễn Văn An",
                "Bên giao",
                "Bên nhận",
                "Thời gian giao, nhận",
                "Hạn xử lý của bước",
                "Kết quả",
                "Người giao ký",
                "Người nhận ký",
                "Tiếp nhận hồ sơ nộp trực tuyến",
                # The desk's step, entered at reception, handed on to the unit's.
                "Chuyển bước xử lý: Tiếp nhận, chuyển hồ sơ → Thẩm định",
                "Trần Thu Hà",
                "Phòng A",
                "14:30 02/03/2026",  # the due of the desk's step (half a day from reception)
                "Đúng hạn",
                "Chuyển bước xử lý: Thẩm định → Ký duyệt",
                "Phòng A",
                "Ban Giám đốc",
                "10:00 05/03/2026",  # the due of "Thẩm định", against which it was early
                "Trước hạn",
                "Có kết quả giải quyết",
                "Đã cấp giấy chứng nhận",
                "Cách tính hạn",
            ],
        )
        for raw in RAW_CODES:
            self.assertNotRegex(text, rf"\b{raw}\b")


class TrackingBookTests(OfficialFormTestCase):
    def test_bm06_prints_on_a4_landscape_with_the_official_columns(self):
        self.accept()
        response = self.client.get(
            "/ho-so/so-theo-doi/", {"tu": "2026-03-01", "den": "2026-03-31", "dang": "pdf"}
        )
        self.assertEqual(response["Content-Type"], "application/pdf")
        reader = PdfReader(io.BytesIO(response.content))
        box = reader.pages[0].mediabox
        self.assertAlmostEqual(float(box.width), 841.89, delta=1)  # A4 landscape, in points
        self.assertAlmostEqual(float(box.height), 595.28, delta=1)
        text = reader.pages[0].extract_text()
        self.assertHeaderUnbroken(text)
        self.assertInOrder(
            text,
            [
                NATIONAL,
                "SỔ THEO DÕI HỒ SƠ",
                "STT",
                "Mã hồ sơ",
                "Tên TTHC",
                "Số lượng hồ sơ",
                "Tên cá nhân, tổ chức",
                "Địa chỉ, số điện thoại",
                "Cơ quan chủ trì giải quyết",
                "Ngày, tháng, năm",
                "Ký nhận",
                "Ghi chú",
                # the second header row, under "Ngày, tháng, năm"
                "Nhận hồ sơ",
                "Hẹn trả kết quả",
                "Chuyển hồ sơ đến cơ quan giải quyết",
                "Nhận kết quả từ cơ quan giải quyết",
                "Trả kết quả cho cá nhân, tổ chức",
                self.dossier.code,
                "Nguyễn Văn An",
            ],
        )

    def test_the_excel_book_keeps_working_with_the_signature_column(self):
        self.accept()
        book = self.client.get("/ho-so/so-theo-doi/", {"tu": "2026-03-01", "den": "2026-03-31"})
        rows = xlsx_rows(book.content)
        self.assertIn("Ký nhận", rows[1])
        self.assertEqual(rows[1].index("Ký nhận"), len([c for c in rows[1] if c]) - 2)
        self.assertEqual(rows[2][1], self.dossier.code)


class HeaderNamesTests(OfficialFormTestCase):
    def test_a_body_name_too_long_for_its_column_wraps_outside_the_place_name(self):
        Agency.objects.filter(pk=self.agency.pk).update(
            superior_body="Ủy ban nhân dân thành phố Hồ Chí Minh",
            name="Sở Khoa học và Công nghệ thành phố Hồ Chí Minh",
        )
        self.accept()
        text = pdf_pages(self.form("bm01").content)[0]
        lines = [line.replace("\xa0", " ") for line in text.splitlines()]
        self.assertTrue(any("THÀNH PHỐ HỒ CHÍ MINH" in line for line in lines), text)
        self.assertNotIn("SỞ KHOA HỌC VÀ CÔNG NGHỆ THÀNH PHỐ", squeeze(text))
