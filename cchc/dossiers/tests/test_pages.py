from cchc.dossiers import services
from cchc.dossiers.models import Dossier, Status
from cchc.dossiers.tests.helpers import APPLICANT, DeskTestCase, at, xlsx_rows


class StaffPageAccessTests(DeskTestCase):
    def setUp(self):
        self.dossier, _ = self.file_online(at(2026, 3, 2, 8))

    def test_the_queue_and_detail_are_for_staff_in_scope(self):
        url = f"/ho-so/{self.dossier.code}/"
        expected = {
            "desk": 200,
            "agency_leader": 200,
            "officer_a": 404,
            "outsider": 404,
            "citizen": 404,
            "anonymous": 404,
        }
        for persona, status in expected.items():
            if persona == "desk":
                self.client.force_login(self.desk)
            else:
                self.login_as(persona)
            self.assertEqual(self.client.get(url).status_code, status, persona)
        self.login_as("anonymous")
        self.assertEqual(self.client.get("/ho-so/").status_code, 404)

    def test_a_unit_officer_sees_dossiers_at_the_unit(self):
        services.dossier_accept(actor=self.desk, dossier=self.dossier)
        services.dossier_hand_over(actor=self.desk, dossier=self.dossier)
        self.login_as("officer_a")
        self.assertContains(self.client.get("/ho-so/?loc=unit"), self.dossier.code)
        self.login_as("officer_b")
        self.assertNotContains(self.client.get("/ho-so/"), self.dossier.code)

    def test_the_queue_renders_an_htmx_partial_with_few_queries(self):
        self.client.force_login(self.desk)
        for _ in range(3):
            self.file_online(at(2026, 3, 2, 9))
        self.client.get("/ho-so/?loc=new", headers={"HX-Request": "true"})  # warm: site agency
        # Session, user, groups, unit, the verified session's device (django-otp); the page's
        # count, the filter options, every option's count (one aggregate) and the rows.
        with self.assertNumQueries(9):
            response = self.client.get("/ho-so/?loc=new", headers={"HX-Request": "true"})
        self.assertNotContains(response, "<h1>")
        self.assertContains(response, self.dossier.code)

    def test_actions_through_the_page_and_a_wrong_one_gives_a_clear_message(self):
        self.client.force_login(self.desk)
        response = self.client.post(f"/ho-so/{self.dossier.code}/thao-tac/return/")
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "đang ở trạng thái", status_code=409)
        response = self.client.post(f"/ho-so/{self.dossier.code}/thao-tac/accept/")
        self.assertRedirects(response, f"/ho-so/{self.dossier.code}/")
        self.dossier.refresh_from_db()
        self.assertEqual(self.dossier.status, Status.RECEIVED)

    def test_fees_and_withdrawal_through_the_page(self):
        services.dossier_accept(actor=self.desk, dossier=self.dossier)
        services.dossier_hand_over(actor=self.desk, dossier=self.dossier)
        self.login_as("officer_a")  # fees are asked for at unit A's step
        base = f"/ho-so/{self.dossier.code}/thao-tac/"
        response = self.client.post(f"{base}require-fees/", {"require-fees-amount": "-5"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Dossier.objects.get(pk=self.dossier.pk).status, Status.PROCESSING)
        self.client.post(f"{base}require-fees/", {"require-fees-amount": "500000"})
        self.assertEqual(Dossier.objects.get(pk=self.dossier.pk).status, Status.FEES)
        self.assertContains(self.client.get(f"/ho-so/{self.dossier.code}/"), "Đã nộp phí")
        self.client.post(f"{base}fees-paid/")
        self.assertEqual(Dossier.objects.get(pk=self.dossier.pk).status, Status.PROCESSING)
        response = self.client.post(f"{base}withdraw/", {"withdraw-reason": "Người nộp đề nghị"})
        self.assertEqual(response.status_code, 403)  # withdrawal is the desk's
        self.client.force_login(self.desk)
        self.client.post(f"{base}withdraw/", {"withdraw-reason": "Người nộp đề nghị"})
        self.assertEqual(Dossier.objects.get(pk=self.dossier.pk).status, Status.WITHDRAWN)

    def test_api_transitions_answer_403_and_409(self):
        self.login_as("officer_a")
        self.assertEqual(
            self.client.post(f"/api/v1/dossiers/{self.dossier.code}/accept").status_code, 404
        )
        self.login_as("agency_leader")
        self.assertEqual(
            self.client.post(f"/api/v1/dossiers/{self.dossier.code}/accept").status_code, 403
        )
        self.client.force_login(self.desk)
        self.assertEqual(
            self.client.post(f"/api/v1/dossiers/{self.dossier.code}/return").status_code, 409
        )
        response = self.client.post(f"/api/v1/dossiers/{self.dossier.code}/accept")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["status"], 2)

    def test_forms_render_as_html_and_pdf_and_the_book_as_excel(self):
        services.dossier_accept(actor=self.desk, dossier=self.dossier, at=at(2026, 3, 2, 9))
        self.client.force_login(self.desk)
        html = self.client.get(f"/ho-so/{self.dossier.code}/mau/bm01.html")
        self.assertContains(html, "GIẤY TIẾP NHẬN HỒ SƠ")
        self.assertContains(html, "<svg")
        pdf = self.client.get(f"/ho-so/{self.dossier.code}/mau/bm05.pdf")
        self.assertEqual(pdf["Content-Type"], "application/pdf")
        self.assertTrue(pdf.content.startswith(b"%PDF"))
        book = self.client.get("/ho-so/so-theo-doi/", {"tu": "2026-03-01", "den": "2026-03-31"})
        rows = xlsx_rows(book.content)
        self.assertEqual(rows[2][1], self.dossier.code)

    def test_a_form_exists_only_once_its_event_happened(self):
        self.client.force_login(self.desk)
        base = f"/ho-so/{self.dossier.code}/mau/"
        for code in ("bm01", "bm02", "bm03", "bm04", "bm99"):
            self.assertEqual(self.client.get(f"{base}{code}.html").status_code, 404, code)
        self.assertEqual(self.client.get(f"{base}bm05.html").status_code, 200)
        services.dossier_refuse(actor=self.desk, dossier=self.dossier, reason="Sai thẩm quyền")
        self.assertContains(self.client.get(f"{base}bm03.html"), "Sai thẩm quyền")

    def test_a_form_is_served_only_as_html_or_pdf(self):
        # "bm05.docx" was answered with the HTML page under a .docx name.
        self.client.force_login(self.desk)
        base = f"/ho-so/{self.dossier.code}/mau/"
        for fmt in ("docx", "xlsx", "PDF", "htm"):
            self.assertEqual(self.client.get(f"{base}bm05.{fmt}").status_code, 404, fmt)
        self.assertEqual(self.client.get(f"{base}bm05.html").status_code, 200)

    def test_statistics_page_and_excel(self):
        services.dossier_accept(actor=self.desk, dossier=self.dossier, at=at(2026, 3, 2, 9))
        self.decide(self.dossier, at(2026, 3, 4, 9), result_text="Đã cấp")
        self.login_as("agency_leader")
        page = self.client.get("/ho-so/thong-ke/", {"tu": "2026-01-01", "den": "2026-12-31"})
        self.assertContains(page, "Quyết định 766")
        self.assertContains(page, "không có dữ liệu")
        self.assertContains(page, "<svg")
        excel = self.client.get("/ho-so/thong-ke/excel/", {"tu": "2026-01-01", "den": "2026-12-31"})
        self.assertEqual(xlsx_rows(excel.content)[2], ("Tiếp nhận mới trong kỳ", 1))
        self.login_as("officer_a")
        self.assertEqual(self.client.get("/ho-so/thong-ke/").status_code, 404)

    def test_the_desk_hands_over_to_a_named_officer_whose_queue_shows_it(self):
        services.dossier_accept(actor=self.desk, dossier=self.dossier)
        self.client.force_login(self.desk)
        url = f"/ho-so/{self.dossier.code}/thao-tac/hand-over/"
        self.dossier.refresh_from_db()
        seen = {"hand-over-step": self.dossier.current_step_id, "hand-over-version": 2}
        response = self.client.post(url, {**seen, "hand-over-to_user": self.outsider.pk})
        self.assertEqual(response.status_code, 400)
        self.dossier.refresh_from_db()
        self.assertEqual(self.dossier.current_step.order, 1)
        response = self.client.post(
            url, {**seen, "hand-over-to_user": self.officer_a.pk, "hand-over-note": "Thẩm định"}
        )
        self.assertEqual(response.status_code, 302)
        self.login_as("officer_a")
        page = self.client.get("/ho-so/?loc=mine")
        self.assertContains(page, self.dossier.code)
        self.assertContains(page, "Cách tính hạn")

    def test_the_api_hands_over_to_a_named_officer_of_the_agency_only(self):
        services.dossier_accept(actor=self.desk, dossier=self.dossier)
        self.client.force_login(self.desk)
        url = f"/api/v1/dossiers/{self.dossier.code}/hand-over"
        self.dossier.refresh_from_db()
        seen = {"step": self.dossier.current_step_id, "version": self.dossier.version}
        for stranger in (self.outsider.pk, 10**9):
            response = self.client.post(url, {**seen, "to_user": stranger})
            self.assertEqual(response.status_code, 400, stranger)
            self.assertEqual(response.json()["errors"][0]["field"], "to_user")
        self.dossier.refresh_from_db()
        self.assertEqual(self.dossier.current_step.order, 1)
        response = self.client.post(url, {**seen, "to_user": self.officer_a.pk})
        self.assertEqual(response.status_code, 200)
        self.dossier.refresh_from_db()
        self.assertEqual(self.dossier.current_handler, self.officer_a)

    def test_paper_reception_page_is_for_the_desk(self):
        self.login_as("officer_a")
        self.assertEqual(self.client.get("/ho-so/tiep-nhan/").status_code, 404)
        self.client.force_login(self.desk)
        data = {
            "procedure": self.procedure.pk,
            "applicant_kind": "organisation",
            "name": "Công ty A",
            "id_number": "2600123456",
            "phone": "0210 3800 123",
            "address": "Phú Thọ",
            "channel": "3",
        }
        response = self.client.post("/ho-so/tiep-nhan/", data)
        dossier = Dossier.objects.get(channel=3)
        self.assertRedirects(response, f"/ho-so/{dossier.code}/", fetch_redirect_response=False)
        self.assertEqual(dossier.status, Status.RECEIVED)
        self.assertIsNotNone(dossier.due_at)
        for garbage in ("", "abc", "99999999999999999999"):
            response = self.client.post("/ho-so/tiep-nhan/", {**data, "procedure": garbage})
            self.assertContains(response, "chọn thủ tục", status_code=400)
        self.assertEqual(Dossier.objects.filter(channel=3).count(), 1)

    def test_every_endpoint_is_in_the_openapi_schema(self):
        schema = self.client.get("/api/schema/", {"format": "json"}).json()
        for path in (
            "/api/v1/dossiers/",
            "/api/v1/dossiers/lookup",
            "/api/v1/dossiers/{code}/{action}",
            "/api/v1/dossiers/{code}/supplement",
            "/api/v1/dossiers/statistics",
            "/api/v1/procedures/",
            "/api/v1/procedures/{id}",
        ):
            self.assertIn(path, schema["paths"])

    def test_the_queue_lists_dossiers_that_need_an_apology_soon(self):
        import datetime as dt

        from django.utils import timezone

        services.dossier_accept(actor=self.desk, dossier=self.dossier)
        Dossier.objects.filter(pk=self.dossier.pk).update(
            due_at=timezone.now() + dt.timedelta(days=1)
        )
        self.client.force_login(self.desk)
        self.assertContains(self.client.get("/ho-so/?loc=apology"), self.dossier.code)
        Dossier.objects.filter(pk=self.dossier.pk).update(
            appointment_at=timezone.now() + dt.timedelta(days=9)
        )
        self.assertNotContains(self.client.get("/ho-so/?loc=apology"), self.dossier.code)

    def test_api_refuses_a_second_reappointment_with_409_and_a_late_supplement_with_400(self):
        import datetime as dt

        from django.utils import timezone

        services.dossier_accept(actor=self.desk, dossier=self.dossier)
        self.client.force_login(self.desk)
        url = f"/api/v1/dossiers/{self.dossier.code}/apologise"
        new_due = (timezone.now() + dt.timedelta(days=30)).isoformat()
        self.assertEqual(
            self.client.post(url, {"reason": "Chờ ý kiến", "new_due_at": new_due}).status_code, 200
        )
        response = self.client.post(url, {"reason": "Lần hai", "new_due_at": new_due})
        self.assertEqual(response.status_code, 409)
        self.assertIn("lần thứ hai", response.json()["errors"][0]["message"])
        Dossier.objects.filter(pk=self.dossier.pk).update(
            received_at=timezone.now() - dt.timedelta(days=10)
        )
        response = self.client.post(
            f"/api/v1/dossiers/{self.dossier.code}/request-supplement", {"items": "Hợp đồng"}
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["errors"][0]["field"], "late_reason")
        self.assertFalse(self.dossier.supplements.exists())

    def test_a_unit_leader_sees_the_load_of_the_unit(self):
        services.dossier_accept(actor=self.desk, dossier=self.dossier)
        services.dossier_hand_over(actor=self.desk, dossier=self.dossier, to_user=self.officer_a)
        self.login_as("officer_a")
        self.assertEqual(self.client.get("/ho-so/tai-xu-ly/").status_code, 404)
        self.login_as("leader_a")
        page = self.client.get("/ho-so/tai-xu-ly/")
        rows = list(page.context["rows"])
        self.assertEqual(
            [(r["current_handler__username"], r["total"], r["overdue"]) for r in rows],
            [("officer_a", 1, 0)],
        )
        self.assertContains(page, "(officer_a)")


class QueryCountTests(DeskTestCase):
    URLS = (
        "/ho-so/thong-ke/?tu=2026-01-01&den=2026-12-31",
        "/ho-so/",
        "/ho-so/tai-xu-ly/",
        "/api/v1/dossiers/queue",
    )

    def counts(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        found = []
        for url in self.URLS:
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(url).status_code, 200, url)
            found.append(len(queries))
        return found

    def test_list_pages_do_not_query_per_row(self):
        from cchc.dossiers.tests.helpers import APPLICANT, make_procedure

        self.login_as("agency_leader")

        def receive(procedure):
            dossier, _ = services.dossier_receive_paper(
                actor=self.desk, procedure=procedure, applicant=APPLICANT, at=at(2026, 3, 3)
            )
            if dossier.current_step.role == "one_stop_officer":  # from the desk to unit A
                services.dossier_hand_over(actor=self.desk, dossier=dossier)

        receive(self.procedure)
        before = self.counts()
        for _ in range(4):
            procedure = make_procedure(steps=[("Thẩm định", "3", self.unit_a)])
            for _ in range(3):
                receive(procedure)
        after = self.counts()
        for url, a, b in zip(self.URLS, before, after, strict=True):
            self.assertLessEqual(b, a, url)


class SharedStyleTests(DeskTestCase):
    """Classes used by pages of several apps are styled by the shared stylesheet, which every
    page links: the lookup's field list (.facts) was styled on portal and PAKN pages only."""

    SHARED = (".facts", ".overdue", ".code-box", ".hp")

    def stylesheets(self, response) -> str:
        import re

        from django.contrib.staticfiles import finders

        hrefs = re.findall(
            r'<link rel="stylesheet" href="/static/([^"?]+)', response.content.decode()
        )
        self.assertTrue(hrefs)
        return "\n".join(open(finders.find(href), encoding="utf-8").read() for href in hrefs)

    def test_the_lookup_page_links_the_styles_of_its_field_list(self):
        dossier, _ = self.file_online(at(2026, 3, 2, 8))
        response = self.client.get("/ho-so/tra-cuu/", {"code": dossier.code})
        self.assertContains(response, '<dl class="facts">')
        self.assertIn(".facts {", self.stylesheets(response))

    def test_shared_classes_are_defined_once_in_the_shared_stylesheet(self):
        from pathlib import Path

        import cchc

        root = Path(cchc.__file__).parent
        for name in self.SHARED:
            with self.subTest(name=name):
                defining = sorted(
                    str(css.relative_to(root))
                    for css in root.rglob("*.css")
                    if f"\n{name} {{" in "\n" + css.read_text(encoding="utf-8")
                )
                self.assertEqual(defining, ["static/cchc/site.css"])


class TrackingBookFormulaTests(DeskTestCase):
    def test_an_applicant_named_like_a_formula_stays_text_in_the_tracking_book(self):
        import dataclasses

        from cchc.core.tests.test_excel import assert_kept_as_text

        formula = '=HYPERLINK("http://x","y")'
        applicant = dataclasses.replace(APPLICANT, name=formula, address="@SUM(A1)")
        dossier, _ = self.file_online(at(2026, 3, 2, 8), applicant=applicant)
        services.dossier_accept(actor=self.desk, dossier=dossier, at=at(2026, 3, 2, 9))
        self.client.force_login(self.desk)
        book = self.client.get("/ho-so/so-theo-doi/", {"tu": "2026-03-01", "den": "2026-03-31"})
        assert_kept_as_text(self, book.content, formula)
        assert_kept_as_text(self, book.content, "@SUM(A1), 0912345678")

    def test_a_procedure_named_like_a_formula_stays_text_in_the_statistics_book(self):
        from cchc.core.tests.test_excel import assert_kept_as_text

        formula = '=HYPERLINK("http://x","y")'
        dossier, _ = self.file_online(at(2026, 3, 2, 8))
        type(self.procedure).objects.filter(pk=self.procedure.pk).update(name=formula)
        services.dossier_accept(actor=self.desk, dossier=dossier, at=at(2026, 3, 2, 9))
        self.login_as("agency_leader")
        excel = self.client.get("/ho-so/thong-ke/excel/", {"tu": "2026-01-01", "den": "2026-12-31"})
        assert_kept_as_text(self, excel.content, formula)
