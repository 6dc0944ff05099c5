"""cchc.core.files and the request cap: sniffing, names, zip bombs, downloads, 413."""

import io
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import Http404
from django.test import SimpleTestCase, TestCase, override_settings

from cchc.core.files import (
    check_import_file,
    check_upload,
    check_zip_archive,
    is_active_content,
    safe_name,
    store_upload,
    upload_response,
)
from cchc.core.tests.badinput import ACTIVE_FILES, MB, PDF, PNG, upload, zip_bomb


class SniffingTests(SimpleTestCase):
    def test_the_content_decides_not_the_extension(self):
        self.assertEqual(check_upload(upload("anh.pdf", PNG)).mime, "image/png")
        self.assertEqual(check_upload(upload("x.png", PDF)).extension, "pdf")

    def test_markup_is_refused_with_its_own_message_whatever_its_name(self):
        for name, content in ACTIVE_FILES.items():
            with self.subTest(name=name):
                self.assertTrue(is_active_content(content))
                with self.assertRaises(ValidationError) as caught:
                    check_upload(upload(name, content))
                self.assertEqual(caught.exception.code, "active_content")
                self.assertIn("HTML, SVG, XML hoặc mã script", caught.exception.messages[0])

    def test_plain_bytes_are_not_taken_for_markup(self):
        self.assertFalse(is_active_content(PDF))
        self.assertFalse(is_active_content(b"a < b and c > d"))

    @override_settings(UPLOAD_LIMITS={"image": 1024})
    def test_each_kind_has_its_limit_from_settings(self):
        big_png = PNG + b"\x00" * 2048
        with self.assertRaisesMessage(ValidationError, "quá lớn"):
            check_upload(upload("a.png", big_png))
        self.assertEqual(
            check_upload(upload("a.pdf", PDF + b"\x00" * 2048)).mime, "application/pdf"
        )

    def test_a_zip_bomb_in_an_office_upload_is_refused(self):
        with self.assertRaises(ValidationError) as caught:
            check_upload(upload("bang.xlsx", zip_bomb("xlsx")))
        self.assertEqual(caught.exception.code, "zip_bomb")


class NameTests(SimpleTestCase):
    def test_names_lose_folders_control_characters_and_leading_dots(self):
        cases = {
            "../../etc/passwd": "passwd",
            "..\\..\\x.pdf": "x.pdf",
            "/etc/passwd.pdf": "passwd.pdf",
            "a\x00b.pdf": "a_b.pdf",
            "..": "tep",
            "": "tep",
            "Biên bản “họp”.pdf": "Biên bản “họp”.pdf",
            'a"b<c>.pdf': "a_b_c_.pdf",
        }
        for raw, expected in cases.items():
            with self.subTest(raw=raw):
                self.assertEqual(safe_name(raw), expected)

    def test_a_long_name_keeps_its_extension(self):
        name = safe_name("Ạ" * 500 + ".docx")
        self.assertEqual(len(name), 200)
        self.assertTrue(name.endswith(".docx"))


class ZipTests(SimpleTestCase):
    def archive(self, members: dict[str, bytes]) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members.items():
                archive.writestr(name, data)
        return out.getvalue()

    def test_an_ordinary_workbook_passes(self):
        check_zip_archive(self.archive({"xl/worksheets/sheet1.xml": b"<x/>" * 1000}))

    def test_a_highly_compressed_member_is_refused(self):
        with self.assertRaisesMessage(ValidationError, "zip bomb"):
            check_zip_archive(self.archive({"xl/worksheets/sheet1.xml": bytes(5 * MB)}))

    def test_too_many_members_are_refused(self):
        members = {f"f{i}.xml": b"x" for i in range(2001)}
        with self.assertRaisesMessage(ValidationError, "quá nhiều thành phần"):
            check_zip_archive(self.archive(members))

    def test_imports_have_a_smaller_unpacked_limit_and_a_size_limit(self):
        with self.assertRaisesMessage(ValidationError, "zip bomb"):
            check_import_file(zip_bomb("xlsx", megabytes=30), name="a.xlsx")
        with self.assertRaisesMessage(ValidationError, "quá lớn"):
            check_import_file(b"x" * (6 * MB), name="a.csv")

    def test_a_file_that_is_not_a_zip_is_left_to_its_reader(self):
        check_zip_archive(b"PK\x03\x04 broken")


class DownloadTests(TestCase):
    def test_a_stored_upload_is_served_as_an_attachment_with_nosniff(self):
        path = store_upload(check_upload(upload("../x.pdf", PDF)), folder="t")
        self.assertNotIn("..", path)
        response = upload_response(path, filename="Báo cáo tổng kết.pdf", mime="application/pdf")
        self.assertEqual(b"".join(response.streaming_content), PDF)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(
            response["Content-Disposition"],
            "attachment; filename*=utf-8''B%C3%A1o%20c%C3%A1o%20t%E1%BB%95ng%20k%E1%BA%BFt.pdf",
        )
        default_storage.delete(path)

    def test_an_unknown_type_is_served_as_octet_stream(self):
        path = default_storage.save("t/abc.html", io.BytesIO(b"<script>alert(1)</script>"))
        response = upload_response(path, filename="a.html", mime="text/html")
        self.assertEqual(response["Content-Type"], "application/octet-stream")
        self.assertTrue(response["Content-Disposition"].startswith("attachment;"))
        default_storage.delete(path)

    def test_missing_or_escaping_paths_are_404(self):
        for path in ("t/missing.pdf", "../etc/passwd", "/etc/passwd", ""):
            with self.subTest(path=path), self.assertRaises(Http404):
                upload_response(path, filename="x.pdf")

    def test_store_upload_takes_only_a_checked_upload(self):
        with self.assertRaises(TypeError):
            store_upload(upload("x.pdf", PDF), folder="t")


@override_settings(UPLOAD_LIMITS={"request": 1024})
class RequestCapTests(TestCase):
    def test_a_body_over_the_cap_is_refused_in_vietnamese_before_it_is_read(self):
        page = self.client.post("/pakn/gui/", b"x" * 2048, content_type="text/plain")
        self.assertEqual(page.status_code, 413)
        self.assertIn("Dữ liệu gửi lên quá lớn", page.content.decode())
        api = self.client.post(
            "/api/v1/feedback/petitions/", b"x" * 2048, content_type="text/plain"
        )
        self.assertEqual(api.status_code, 413)
        self.assertIn("quá lớn", api.json()["errors"][0]["message"])

    def test_a_body_under_the_cap_goes_through(self):
        self.assertNotEqual(self.client.post("/pakn/gui/", {"x": "1"}).status_code, 413)
