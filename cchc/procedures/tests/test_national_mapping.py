"""The DVCQG mapping page: candidates by name similarity, 1:1 mappings, fields, access."""

import datetime as dt
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase, override_settings

from cchc.core.models import AuditEntry, User
from cchc.core.roles import Role
from cchc.core.testing import PersonaTestCase, make_user
from cchc.procedures.models import FieldMapping, NationalProcedure, Procedure, ProcedureMapping
from cchc.procedures.national import candidates, similarity
from cchc.procedures.national_services import national_catalogue_import

AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
LICENCE = "1.004227.000.00.00.H56"
RENEWAL = "1.004228.000.00.00.H56"
UNRELATED = "2.001541.000.00.00.H56"


class SimilarityTests(SimpleTestCase):
    def test_names_match_without_diacritics_case_or_punctuation(self):
        self.assertEqual(similarity("Cap giay phep", "Cấp giấy phép"), 1.0)
        self.assertEqual(similarity("CẤP GIẤY PHÉP.", "cấp, giấy - phép"), 1.0)
        self.assertEqual(similarity("Đăng ký", "dang ky"), 1.0)

    def test_the_score_is_the_cosine_of_the_word_counts(self):
        # 2 shared words of 3 and 4: 2 / (sqrt(3) * sqrt(4)).
        self.assertAlmostEqual(similarity("cấp giấy phép", "cấp lại giấy chứng"), 0.5774, 4)
        self.assertEqual(similarity("công bố hợp chuẩn", "giấy phép bức xạ"), 0.0)
        self.assertEqual(similarity("", "giấy phép"), 0.0)


def catalogue_reply():
    def rec(code, name, field_code, field_name):
        return {
            "MATTHC": code,
            "TENTTHC": name,
            "LINHVUCTHUCHIEN": [{"MALINHVUC": field_code, "TENLINHVUC": field_name}],
            "TRANGTHAI": "1",
        }

    return {
        "error_code": 0,
        "result": [
            rec(LICENCE, "Cấp giấy phép tiến hành công việc bức xạ", "G08-ATBX", "An toàn bức xạ"),
            rec(
                RENEWAL,
                "Gia hạn giấy phép tiến hành công việc bức xạ",
                "G08-ATBX",
                "An toàn bức xạ",
            ),
            rec(
                UNRELATED, "Đăng ký công bố hợp chuẩn", "G08-TDC", "Tiêu chuẩn đo lường chất lượng"
            ),
        ],
    }


@override_settings(SITE_AGENCY_CODE="TEST")
class MappingPageTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.make_other_agency_personas()
        cls.admin = make_user("admin_a", cls.unit_a, [Role.SYSTEM_ADMIN])
        national_catalogue_import(reply=catalogue_reply(), at=AT)
        cls.licence = Procedure.objects.create(
            code="2.002380",
            name="Cap giay phep tien hanh cong viec buc xa",  # typed without diacritics
            field="An toàn bức xạ và hạt nhân",
            time=Decimal(30),
            time_unit="days",
        )
        cls.renewal = Procedure.objects.create(
            name="Gia hạn giấy phép tiến hành công việc bức xạ",
            field="An toàn bức xạ và hạt nhân",
            time=Decimal(10),
            time_unit="working_days",
        )

    def url(self, procedure):
        return f"/thu-tuc/{procedure.pk}/lien-thong-dvcqg/"

    def test_candidates_are_proposed_by_similarity_best_first(self):
        found = candidates(self.licence)

        self.assertEqual([c.national.code for c in found], [LICENCE, RENEWAL])
        self.assertEqual(found[0].score, 1.0)
        self.assertTrue(0.4 <= found[1].score < 1.0)
        self.assertNotIn(UNRELATED, [c.national.code for c in found])

    def test_an_editor_maps_a_procedure_and_the_list_shows_who_when_and_score(self):
        self.login_as("leader_a")
        page = self.client.get("/thu-tuc/lien-thong-dvcqg/")
        self.assertContains(page, "Chưa ánh xạ", count=2)
        self.assertContains(page, f"{LICENCE} (1,00)")

        response = self.client.post(self.url(self.licence), {"code": LICENCE})

        self.assertRedirects(response, self.url(self.licence))
        mapping = ProcedureMapping.objects.get(series=self.licence.series)
        self.assertEqual(
            (mapping.national.code, mapping.score, mapping.mapped_by), (LICENCE, 1.0, self.leader_a)
        )
        entry = AuditEntry.objects.get(action="procedure.national_map")
        self.assertEqual(
            (entry.actor, entry.object_id, entry.to_state, entry.agency),
            (self.leader_a, str(self.licence.pk), LICENCE, self.agency),
        )
        page = self.client.get("/thu-tuc/lien-thong-dvcqg/")
        self.assertContains(page, LICENCE)
        self.assertContains(page, "leader_a")
        self.assertContains(page, "1,00")
        unmapped = self.client.get("/thu-tuc/lien-thong-dvcqg/?chua_anh_xa=1")
        self.assertNotContains(unmapped, self.licence.name)
        self.assertContains(unmapped, self.renewal.name)

    def test_a_code_no_longer_public_on_the_national_portal_is_marked_and_warned(self):
        NationalProcedure.objects.filter(code=LICENCE).update(public=False)
        self.login_as("leader_a")
        page = self.client.get(self.url(self.licence))
        self.assertContains(page, "không công khai", count=1)  # the candidate's badge
        self.assertNotContains(page, 'id="national-not-public"')
        self.client.post(self.url(self.licence), {"code": LICENCE})
        page = self.client.get(self.url(self.licence))
        self.assertContains(page, 'id="national-not-public"')
        NationalProcedure.objects.filter(code=LICENCE).update(public=True)
        self.assertNotContains(self.client.get(self.url(self.licence)), 'id="national-not-public"')

    def test_a_national_code_of_another_procedure_is_refused_unless_remapped(self):
        self.login_as("leader_a")
        self.client.post(self.url(self.licence), {"code": LICENCE})

        refused = self.client.post(self.url(self.renewal), {"code": LICENCE})

        self.assertContains(refused, "đã được ánh xạ với thủ tục", status_code=400)
        self.assertContains(refused, self.licence.name, status_code=400)
        self.assertFalse(ProcedureMapping.objects.filter(series=self.renewal.series).exists())
        self.assertEqual(
            ProcedureMapping.objects.get(national__code=LICENCE).series, self.licence.series
        )

        moved = self.client.post(self.url(self.renewal), {"code": LICENCE, "remap": "on"})

        self.assertRedirects(moved, self.url(self.renewal))
        self.assertEqual(
            ProcedureMapping.objects.get(national__code=LICENCE).series, self.renewal.series
        )
        self.assertFalse(ProcedureMapping.objects.filter(series=self.licence.series).exists())
        unmapped = AuditEntry.objects.get(action="procedure.national_unmap")
        self.assertEqual((unmapped.object_id, unmapped.from_state), (str(self.licence.pk), LICENCE))

    def test_changing_and_removing_a_mapping(self):
        self.login_as("agency_leader")
        self.client.post(self.url(self.renewal), {"code": LICENCE})
        self.client.post(self.url(self.renewal), {"code": RENEWAL})
        self.assertEqual(ProcedureMapping.objects.get().national.code, RENEWAL)
        self.assertEqual(
            list(
                AuditEntry.objects.filter(action="procedure.national_map")
                .order_by("seq")
                .values_list("from_state", "to_state")
            ),
            [("", LICENCE), (LICENCE, RENEWAL)],
        )
        self.client.post(self.url(self.renewal), {"action": "unmap"})
        self.assertFalse(ProcedureMapping.objects.exists())

    def test_an_unknown_code_gets_a_clear_message(self):
        self.login_as("leader_a")
        response = self.client.post(self.url(self.licence), {"code": "9.999999"})
        self.assertContains(response, "Không có mã 9.999999", status_code=400)
        self.assertFalse(ProcedureMapping.objects.exists())

    def test_the_catalogue_is_uploaded_on_the_page(self):
        self.login_as("admin")
        data = {
            "error_code": 0,
            "result": [{"MATTHC": "1.009999.000.00.00.H56", "TENTTHC": "Mới"}, {"MATTHC": ""}],
        }
        upload = SimpleUploadedFile("dm.json", json.dumps(data).encode(), "application/json")

        response = self.client.post("/thu-tuc/lien-thong-dvcqg/nhap/", {"file": upload})

        self.assertContains(response, "Thêm mới 1, cập nhật 0, không đổi 0, bị từ chối 1.")
        self.assertContains(response, "Thiếu mã thủ tục")
        self.assertTrue(NationalProcedure.objects.filter(code="1.009999.000.00.00.H56").exists())

    def test_a_bad_upload_gets_a_clear_message_and_writes_nothing(self):
        self.login_as("leader_a")
        before = NationalProcedure.objects.count()
        cases = [
            (b"{not json", "không phải JSON"),
            (b"\xff\xfe\x00", "UTF-8"),
            (json.dumps({"error_code": 0, "result": "x"}).encode(), "thiếu danh sách"),
            (b" " * (5 * 1024 * 1024 + 1), "lớn quá 5 MB"),
            (b"[" * 100_000, "lồng nhau quá sâu"),
        ]
        for content, message in cases:
            with self.subTest(message=message):
                upload = SimpleUploadedFile("dm.json", content, "application/json")
                response = self.client.post("/thu-tuc/lien-thong-dvcqg/nhap/", {"file": upload})
                self.assertContains(response, message, status_code=400)
        self.assertEqual(NationalProcedure.objects.count(), before)

    def test_fields_are_proposed_from_the_national_records_and_mapped(self):
        self.login_as("leader_a")
        self.client.post(self.url(self.licence), {"code": LICENCE})
        page = self.client.get("/thu-tuc/lien-thong-dvcqg/linh-vuc/")
        self.assertContains(page, "G08-ATBX An toàn bức xạ (1,00)")

        response = self.client.post(
            "/thu-tuc/lien-thong-dvcqg/linh-vuc/",
            {"field": "An toàn bức xạ và hạt nhân", "national_code": "G08-ATBX"},
        )

        self.assertRedirects(response, "/thu-tuc/lien-thong-dvcqg/linh-vuc/")
        mapping = FieldMapping.objects.get()
        self.assertEqual(
            (mapping.national_code, mapping.national_name), ("G08-ATBX", "An toàn bức xạ")
        )
        self.assertEqual(AuditEntry.objects.get(action="field.national_map").actor, self.leader_a)
        bad = self.client.post(
            "/thu-tuc/lien-thong-dvcqg/linh-vuc/", {"field": "Không có", "national_code": "X"}
        )
        self.assertContains(bad, "không có trong danh mục", status_code=400)

    def test_the_code_lists_page_shows_local_and_national_labels(self):
        self.login_as("officer_a")
        page = self.client.get("/thu-tuc/lien-thong-dvcqg/ma-danh-muc/")
        self.assertContains(page, "Yêu cầu thực hiện nghĩa vụ tài chính")
        self.assertContains(page, "Qua bưu chính công ích")
        self.login_as("citizen")
        self.assertEqual(self.client.get("/thu-tuc/lien-thong-dvcqg/ma-danh-muc/").status_code, 404)

    def test_only_catalogue_editors_of_the_agency_reach_the_mapping_pages(self):
        pages = [
            "/thu-tuc/lien-thong-dvcqg/",
            "/thu-tuc/lien-thong-dvcqg/nhap/",
            "/thu-tuc/lien-thong-dvcqg/linh-vuc/",
            self.url(self.licence),
        ]
        allowed = {"leader_a", "agency_leader", "admin"}
        people = [
            "officer_a",
            "citizen",
            "anonymous",
            "outsider",
            "outsider_leader",
            "outsider_chief",
            *allowed,
        ]
        for name in people:
            self.login_as(name)
            for page in pages:
                with self.subTest(persona=name, page=page):
                    expected = 200 if name in allowed else 404
                    self.assertEqual(self.client.get(page).status_code, expected)

    def test_the_menu_links_the_mapping_page_for_the_people_who_may_map(self):
        for name, shown in [("leader_a", True), ("officer_a", False), ("outsider_chief", False)]:
            self.login_as(name)
            with self.subTest(persona=name):
                page = self.client.get("/thu-tuc/")
                self.assertEqual('href="/thu-tuc/lien-thong-dvcqg/"' in page.text, shown)

    def test_people_who_may_not_map_change_nothing(self):
        upload = json.dumps(
            catalogue_reply() | {"result": [{"MATTHC": "1.000001.x", "TENTTHC": "X"}]}
        )
        for name in ("officer_a", "citizen", "anonymous", "outsider_leader", "outsider_chief"):
            self.login_as(name)
            with self.subTest(persona=name):
                self.assertEqual(
                    self.client.post(self.url(self.licence), {"code": LICENCE}).status_code, 404
                )
                self.assertEqual(
                    self.client.post(
                        "/thu-tuc/lien-thong-dvcqg/linh-vuc/",
                        {"field": "An toàn bức xạ và hạt nhân", "national_code": "G08-ATBX"},
                    ).status_code,
                    404,
                )
                file = SimpleUploadedFile("dm.json", upload.encode(), "application/json")
                self.assertEqual(
                    self.client.post("/thu-tuc/lien-thong-dvcqg/nhap/", {"file": file}).status_code,
                    404,
                )
        self.assertFalse(ProcedureMapping.objects.exists())
        self.assertFalse(FieldMapping.objects.exists())
        self.assertEqual(NationalProcedure.objects.count(), 3)
        self.assertFalse(AuditEntry.objects.filter(action__contains="map").exists())


@override_settings(SITE_AGENCY_CODE="TEST")
class MappingListQueriesTests(PersonaTestCase):
    def test_the_list_takes_the_same_queries_for_more_procedures(self):
        national_catalogue_import(reply=catalogue_reply(), at=AT)
        self.login_as("leader_a")

        def count():
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get("/thu-tuc/lien-thong-dvcqg/").status_code, 200)
            return len(queries)

        Procedure.objects.create(name="Cấp giấy phép bức xạ", field="A", time=1, time_unit="days")
        count()  # the first request also fills the caches (site agency, sign-in state)
        few = count()
        for i in range(5):
            Procedure.objects.create(
                name=f"Gia hạn giấy phép {i}", field="B", time=1, time_unit="days"
            )
        self.assertEqual(count(), few)


class AgencyNationalCodeTests(PersonaTestCase):
    def test_the_system_administrator_edits_the_national_unit_code_in_the_admin(self):
        root = User.objects.create_superuser("root", "root@example.vn", "pw-root")
        self.client.force_login(root)
        url = f"/quan-tri/core/agency/{self.agency.pk}/change/"
        page = self.client.get(url)
        self.assertContains(page, 'name="national_code"')
        form = page.context["adminform"].form
        data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
        response = self.client.post(url, {**data, "national_code": "000.00.21.H45"})

        self.assertEqual(
            response.status_code,
            302,
            getattr(response, "context", None) and response.context["errors"],
        )
        self.agency.refresh_from_db()
        self.assertEqual(self.agency.national_code, "000.00.21.H45")
        self.assertContains(self.client.get("/quan-tri/core/agency/"), "000.00.21.H45")
