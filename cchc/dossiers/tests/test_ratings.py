"""Satisfaction ratings: the applicant rates a returned dossier once (from the lookup page with
the secret, or through the signed link of the "returned" e-mail); monthly summaries in the
shape of the national DongBoDanhGia items; the staff page of the month's ratings."""

import datetime as dt
import html
import re
import threading
from urllib.parse import urlsplit

import time_machine
from django.conf import settings
from django.core import mail, signing
from django.core.cache import cache
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django.utils import timezone

from cchc.core.models import Unit
from cchc.core.roles import Role
from cchc.core.testing import make_agency, make_user
from cchc.dossiers import ratings, services
from cchc.dossiers.models import Channel, Dossier, Rating, Status
from cchc.dossiers.tests.helpers import APPLICANT, DeskTestCase, at, make_procedure
from cchc.procedures.models import NationalProcedure, Procedure, ProcedureMapping

RATE_URL = "/ho-so/danh-gia/"
STAFF_URL = "/ho-so/thong-ke/hai-long/"
ALREADY = "Hồ sơ này đã được đánh giá"


def form_token(page: str) -> str:
    match = re.search(r'name="t" value="([^"]+)"', page)
    assert match, "no rating form on the page"
    return html.unescape(match.group(1))


class RatingFlowTests(DeskTestCase):
    def setUp(self):
        cache.clear()
        with self.captureOnCommitCallbacks(execute=True):
            self.dossier, self.secret = self.file_online(at(2026, 3, 2, 8))
            services.dossier_accept(actor=self.desk, dossier=self.dossier, at=at(2026, 3, 2, 9))
            self.decide(self.dossier, at(2026, 3, 4, 9), result_text="Đã cấp")

    def return_it(self):
        with self.captureOnCommitCallbacks(execute=True):
            services.dossier_return(actor=self.desk, dossier=self.dossier, at=at(2026, 3, 5, 10))

    def lookup(self, secret):
        return self.client.get(
            "/ho-so/tra-cuu/", {"code": self.dossier.code, "secret": secret}
        ).content.decode()

    def test_the_applicant_rates_from_the_lookup_page_with_the_secret(self):
        self.return_it()
        page = self.lookup(self.secret)
        self.assertIn("Đánh giá mức độ hài lòng", page)
        for label in ("Rất hài lòng", "Hài lòng", "Không hài lòng"):
            self.assertIn(label, page)
        with time_machine.travel(at(2026, 3, 6, 14), tick=False):
            response = self.client.post(
                RATE_URL, {"t": form_token(page), "level": "3", "comment": "Cán bộ tận tình."}
            )
        self.assertEqual(response.status_code, 302)
        rating = Rating.objects.get(dossier=self.dossier)
        self.assertEqual((rating.level, rating.comment), (3, "Cán bộ tận tình."))
        self.assertEqual(rating.rated_at, at(2026, 3, 6, 14))
        page = self.lookup(self.secret)
        self.assertIn(ALREADY, page)
        self.assertNotIn('name="t"', page)
        # The desk sees it on the dossier's page.
        self.client.force_login(self.desk)
        detail = self.client.get(f"/ho-so/{self.dossier.code}/")
        self.assertContains(detail, "Rất hài lòng (14:00 06/03/2026): Cán bộ tận tình.")

    def test_without_the_secret_the_lookup_page_offers_no_rating(self):
        self.return_it()
        page = self.client.get("/ho-so/tra-cuu/", {"code": self.dossier.code}).content.decode()
        self.assertNotIn('name="t"', page)
        self.assertNotIn("Đánh giá mức độ hài lòng", page)

    def test_the_applicant_rates_through_the_link_in_the_returned_mail(self):
        sent = len(mail.outbox)
        self.return_it()
        (message,) = mail.outbox[sent:]
        self.assertIn("đã trả kết quả", message.subject)
        match = re.search(r"(https?://\S+/ho-so/danh-gia/\?t=\S+)", message.body)
        self.assertIsNotNone(match, message.body)
        link = urlsplit(match.group(1))
        self.assertEqual(f"{link.scheme}://{link.netloc}", settings.SITE_URL)
        self.assertNotIn(self.secret, match.group(1))
        self.client.logout()
        page = self.client.get(f"{link.path}?{link.query}")
        self.assertEqual(page.status_code, 200)
        text = page.content.decode()
        self.assertIn(self.dossier.code, text)
        self.assertNotIn(APPLICANT.name, text)  # nothing personal beyond the code lookup shows
        self.assertNotIn(APPLICANT.phone, text)
        response = self.client.post(RATE_URL, {"t": form_token(text), "level": "1", "comment": ""})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Rating.objects.get(dossier=self.dossier).level, 1)
        again = self.client.get(response.headers["Location"])
        self.assertContains(again, "Cảm ơn ông/bà đã đánh giá")
        self.assertContains(again, f"{ALREADY}: Không hài lòng")
        self.assertNotContains(again, 'role="alert"')
        again = self.client.get(f"{link.path}?{link.query}")
        self.assertContains(again, ALREADY)
        self.assertNotContains(again, 'name="level"')

    def test_a_dossier_is_rated_once_only(self):
        self.return_it()
        token = ratings.rating_token(self.dossier)
        first = self.client.post(RATE_URL, {"t": token, "level": "3"})
        self.assertEqual(first.status_code, 302)
        second = self.client.post(RATE_URL, {"t": token, "level": "1", "comment": "Đổi ý"})
        self.assertEqual(second.status_code, 400)
        self.assertContains(second, ALREADY, status_code=400)
        self.assertEqual(Rating.objects.filter(dossier=self.dossier).count(), 1)
        self.assertEqual(Rating.objects.get(dossier=self.dossier).level, 3)
        with self.assertRaisesMessage(ratings.ValidationError, ALREADY):
            ratings.rating_submit(dossier=self.dossier, level=2)

    def test_a_dossier_not_yet_returned_cannot_be_rated(self):
        self.dossier.refresh_from_db()
        self.assertEqual(self.dossier.status, Status.DECIDED)
        self.assertNotIn('name="t"', self.lookup(self.secret))
        response = self.client.post(
            RATE_URL, {"t": ratings.rating_token(self.dossier), "level": "3"}
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "chưa trả kết quả", status_code=400)
        self.assertFalse(Rating.objects.exists())

    def test_an_expired_or_forged_link_is_refused(self):
        self.return_it()
        with time_machine.travel(at(2026, 3, 5, 11), tick=False):
            token = ratings.rating_token(self.dossier)
        forged = [
            token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),
            signing.dumps(self.dossier.code),  # the right code, signed without the salt
            signing.dumps(self.dossier.code, salt="cchc.other"),
            "",
        ]
        for bad in forged:
            with self.subTest(token=bad):
                response = self.client.post(RATE_URL, {"t": bad, "level": "3"})
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, "không hợp lệ", status_code=400)
                self.assertEqual(self.client.get(RATE_URL, {"t": bad}).status_code, 400)
        with time_machine.travel(at(2026, 3, 5, 11) + dt.timedelta(days=91), tick=False):
            response = self.client.post(RATE_URL, {"t": token, "level": "3"})
        self.assertContains(response, "hết hạn", status_code=400)
        self.assertFalse(Rating.objects.exists())
        with time_machine.travel(at(2026, 3, 5, 11) + dt.timedelta(days=89), tick=False):
            self.assertEqual(
                self.client.post(RATE_URL, {"t": token, "level": "3"}).status_code, 302
            )

    def test_a_bad_level_or_a_too_long_comment_is_a_form_error(self):
        self.return_it()
        token = ratings.rating_token(self.dossier)
        cases = {
            "5": "Mức độ hài lòng không hợp lệ",
            "": "Hãy chọn mức độ hài lòng",
            "3x": "Mức độ hài lòng không hợp lệ",
        }
        for level, message in cases.items():
            with self.subTest(level=level):
                response = self.client.post(RATE_URL, {"t": token, "level": level})
                self.assertContains(response, message, status_code=400)
        response = self.client.post(RATE_URL, {"t": token, "level": "3", "comment": "x" * 2001})
        self.assertContains(response, "Ý kiến không quá 2000 ký tự", status_code=400)
        self.assertFalse(Rating.objects.exists())
        with self.assertRaises(ratings.ValidationError):
            ratings.rating_submit(dossier=self.dossier, level=4)
        self.assertFalse(Rating.objects.exists())

    @override_settings(RATE_LIMITS=settings.RATE_LIMITS | {"dossier-rate": "2/h"})
    def test_rating_posts_are_rate_limited(self):
        self.return_it()
        for _ in range(2):
            self.client.post(RATE_URL, {"t": "forged", "level": "3"})
        response = self.client.post(
            RATE_URL, {"t": ratings.rating_token(self.dossier), "level": "3"}
        )
        self.assertEqual(response.status_code, 429)
        self.assertFalse(Rating.objects.exists())


class SummaryTests(DeskTestCase):
    """Known ratings of March 2026 (ICT months), with April and another agency around them."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.agency.national_code = "000.00.30.H45"
        cls.agency.save(update_fields=["national_code"])
        cls.other_procedure = Procedure.objects.create(
            code="1.004567", name="Thủ tục không ánh xạ", field="Khác"
        )
        national = NationalProcedure.objects.create(
            code="1.001234", name=cls.procedure.name, imported_at=at(2026, 1, 1)
        )
        ProcedureMapping.objects.create(
            series=cls.procedure.series, national=national, mapped_at=at(2026, 1, 1)
        )
        rows = [  # procedure, level, rated at (ICT), comment
            (cls.procedure, 3, at(2026, 3, 2, 9), "Nhanh gọn"),
            (cls.procedure, 3, at(2026, 3, 10, 9), ""),
            (cls.procedure, 2, at(2026, 3, 31, 23, 30), "Gọi tôi 0912 345 678, Nguyễn Văn An"),
            (cls.procedure, 1, at(2026, 3, 15, 9), "Chờ lâu, email an@example.vn"),
            (cls.other_procedure, 3, at(2026, 3, 20, 9), ""),
            (cls.other_procedure, 2, at(2026, 3, 1, 0, 5), "Ổn"),
            (cls.procedure, 1, at(2026, 4, 1, 0, 10), "Tháng sau"),  # April in ICT
            (cls.procedure, 1, at(2026, 2, 28, 23, 59), "Tháng trước"),
        ]
        for n, (procedure, level, moment, comment) in enumerate(rows):
            dossier = Dossier.objects.create(
                agency=cls.agency,
                procedure=procedure,
                channel=Channel.ONLINE,
                code=f"TEST-000000-{n:04d}",
                applicant_name=APPLICANT.name,
                status=Status.RETURNED,
                submitted_at=moment - dt.timedelta(days=5),
                returned_at=moment - dt.timedelta(hours=1),
            )
            Rating.objects.create(dossier=dossier, level=level, comment=comment, rated_at=moment)
        other = Dossier.objects.create(
            agency=cls.other_agency,
            procedure=cls.procedure,
            channel=Channel.ONLINE,
            code="OTHER-000000-0001",
            status=Status.RETURNED,
            submitted_at=at(2026, 3, 1),
            returned_at=at(2026, 3, 2),
        )
        Rating.objects.create(
            dossier=other, level=1, comment="Zyxother comment", rated_at=at(2026, 3, 3)
        )

    def test_the_month_summary_in_the_national_item_shape(self):
        summary = ratings.satisfaction_summary(agency=self.agency, month=dt.date(2026, 3, 17))
        self.assertEqual(summary["NgayTongHop"], "3-2026")
        self.assertEqual(summary["TongSoNguoiDanhGia"], "6")
        self.assertEqual(summary["PhanTramDanhGiaRatHaiLong"], "50.00")
        self.assertEqual(summary["PhanTramDanhGiaHaiLong"], "33.33")
        self.assertEqual(summary["PhanTramDanhGiaChuaHaiLong"], "16.67")
        self.assertEqual(summary["Madonvi"], "000.00.30.H45")
        self.assertEqual(summary["TenDonVi"], self.agency.name)
        comments = [c["NoiDung"] for c in summary["DanhSachNoiDungYKien"]]
        self.assertEqual(len(comments), 4)  # the four non-blank comments of March
        self.assertIn("Nhanh gọn", comments)
        joined = " ".join(comments)
        for personal in ("0912", "345 678", "Nguyễn Văn An", "an@example.vn", "Zyxother"):
            self.assertNotIn(personal, joined)
        self.assertNotIn("Tháng sau", joined)

    def test_per_procedure_items_use_the_national_code_else_the_local_one(self):
        payload = ratings.satisfaction_payload(agency=self.agency, month=dt.date(2026, 3, 1))
        items = {item["MaThuTuc"]: item for item in payload["data"]}
        self.assertEqual(set(items), {"1.001234", "1.004567"})
        mapped = items["1.001234"]
        self.assertEqual(mapped["TongSoNguoiDanhGia"], "4")
        self.assertEqual(
            [mapped[f"PhanTramDanhGia{k}"] for k in ("RatHaiLong", "HaiLong", "ChuaHaiLong")],
            ["50.00", "25.00", "25.00"],
        )
        local = items["1.004567"]
        self.assertEqual(local["TongSoNguoiDanhGia"], "2")
        self.assertEqual(local["PhanTramDanhGiaRatHaiLong"], "50.00")
        self.assertEqual([c["NoiDung"] for c in local["DanhSachNoiDungYKien"]], ["Ổn"])
        for item in payload["data"]:
            self.assertEqual((item["NgayTongHop"], item["Madonvi"]), ("3-2026", "000.00.30.H45"))
        empty = ratings.satisfaction_payload(agency=self.agency, month=dt.date(2026, 6, 1))
        self.assertEqual(empty, {"data": []})

    def test_percentages_always_sum_to_100_with_largest_remainders(self):
        cases = {
            (1, 1, 1): ("33.34", "33.33", "33.33"),
            (2, 1, 0): ("66.67", "33.33", "0.00"),
            (1, 0, 0): ("100.00", "0.00", "0.00"),
            (0, 0, 0): ("0.00", "0.00", "0.00"),
            (1, 5, 1): ("14.29", "71.43", "14.28"),
        }
        for counts, expected in cases.items():
            with self.subTest(counts=counts):
                self.assertEqual(ratings.percentages(*counts), expected)

    def test_counts_for_a_period_for_the_766_group(self):
        counts = ratings.satisfaction_counts(
            agency=self.agency, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31)
        )
        self.assertEqual(
            counts, {"very_satisfied": 3, "satisfied": 2, "not_satisfied": 1, "total": 6}
        )
        spring = ratings.satisfaction_counts(
            agency=self.agency, start=dt.date(2026, 2, 1), end=dt.date(2026, 4, 30)
        )
        self.assertEqual(spring["total"], 8)
        self.assertEqual(spring["not_satisfied"], 3)
        moments = ratings.satisfaction_counts(
            agency=self.agency, start=at(2026, 3, 31, 23), end=at(2026, 4, 1, 1)
        )
        self.assertEqual((moments["satisfied"], moments["not_satisfied"]), (1, 1))
        other = ratings.satisfaction_counts(
            agency=self.other_agency, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31)
        )
        self.assertEqual(other["total"], 1)

    def test_the_staff_page_shows_the_month_to_the_agency_leaders_and_desk(self):
        self.make_other_agency_personas()
        for name in ("agency_leader", "leader_a", "desk"):
            with self.subTest(persona=name):
                self.client.force_login(getattr(self, name))
                page = self.client.get(STAFF_URL, {"thang": "2026-03"})
                self.assertEqual(page.status_code, 200)
                text = page.content.decode()
                self.assertIn("TEST-000000-0000", text)
                self.assertIn("Nhanh gọn", text)
                self.assertIn("50.00", text)
                self.assertNotIn("Tháng sau", text)
                self.assertNotIn("Zyxother", text)
        for name in ("officer_a", "outsider", "citizen"):
            with self.subTest(persona=name):
                self.client.force_login(getattr(self, name))
                self.assertEqual(self.client.get(STAFF_URL, {"thang": "2026-03"}).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(STAFF_URL).status_code, 404)
        # A leader of another agency sees their own agency's month, nothing of ours.
        self.client.force_login(self.outsider_chief)
        text = self.client.get(STAFF_URL, {"thang": "2026-03"}).content.decode()
        self.assertIn("Zyxother", text)
        self.assertNotIn("TEST-000000-0000", text)
        self.assertNotIn("Nhanh gọn", text)

    def test_the_statistics_page_links_to_it(self):
        self.client.force_login(self.agency_leader)
        self.assertContains(self.client.get("/ho-so/thong-ke/"), f'href="{STAFF_URL}"')

    def test_a_bad_month_gets_a_message(self):
        self.client.force_login(self.agency_leader)
        for bad in ("2026-13", "tháng ba", "1999-01"):
            with self.subTest(month=bad):
                response = self.client.get(STAFF_URL, {"thang": bad})
                self.assertContains(response, "Tháng không hợp lệ", status_code=400)


@override_settings(SITE_AGENCY_CODE="SKHCN")
class ConcurrentRatingTests(TransactionTestCase):
    def setUp(self):
        agency = make_agency("SKHCN")
        office = Unit.objects.create(agency=agency, code="VP", name="Văn phòng")
        desk = make_user("desk", office, [Role.ONE_STOP_OFFICER])
        procedure = make_procedure(components=(), steps=[("Thẩm định", "1", office)])
        self.dossier, _ = services.dossier_receive_paper(
            actor=desk, procedure=procedure, applicant=APPLICANT, at=at(2026, 3, 2, 9)
        )
        Dossier.objects.filter(pk=self.dossier.pk).update(
            status=Status.RETURNED, returned_at=at(2026, 3, 3, 9)
        )

    def test_two_ratings_at_once_make_one_row_and_one_clear_refusal(self):
        barrier = threading.Barrier(2)
        results = []

        def work(level):
            try:
                dossier = Dossier.objects.get(pk=self.dossier.pk)
                barrier.wait(timeout=10)
                ratings.rating_submit(dossier=dossier, level=level, at=timezone.now())
                results.append("ok")
            except ratings.ValidationError as error:
                results.append(error.messages[0])
            except Exception as error:  # noqa: BLE001 - reported below
                results.append(repr(error))
            finally:
                connection.close()

        threads = [threading.Thread(target=work, args=(level,)) for level in (1, 3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        self.assertEqual(sorted(results), sorted(["ok", ALREADY]), results)
        self.assertEqual(Rating.objects.filter(dossier=self.dossier).count(), 1)
