import datetime as dt

from django.core.cache import cache
from django.test import TestCase

from cchc.core.testing import VerifiedClient
from cchc.portal.models import ScienceTask


def task(code, name, status, level="province", start=2024, end=2026):
    return ScienceTask.objects.create(
        code=code, name=name, level=level, lead_organisation="Viện Ứng dụng",
        principal_investigator="TS. Nguyễn Văn Nghiên", start_date=dt.date(start, 1, 1),
        end_date=dt.date(end, 12, 31), budget=1_500_000_000, status=status,
        result_summary="Quy trình sản xuất giống chè mới.",
    )  # fmt: skip


class ScienceTests(TestCase):
    def setUp(self):
        cache.clear()
        task("ĐT.01/24", "Nghiên cứu giống chè chất lượng cao", "in_progress")
        task(
            "ĐT.02/22",
            "Ứng dụng công nghệ sinh học trong bảo quản",
            "accepted",
            "ministry",
            2022,
            2023,
        )
        task("ĐT.03/21", "Đánh giá tài nguyên đất", "registered", "national", 2021, 2022)

    def test_the_two_public_lists_split_running_tasks_from_results(self):
        running = self.client.get("/nhiem-vu-khcn/")
        self.assertContains(running, "Nhiệm vụ KH&amp;CN đang tiến hành")
        self.assertContains(running, "giống chè")
        self.assertNotContains(running, "bảo quản")
        results = self.client.get("/ket-qua-khcn/")
        self.assertContains(results, "bảo quản")
        self.assertContains(results, "tài nguyên đất")

    def test_filters_and_diacritics_insensitive_search(self):
        response = self.client.get("/ket-qua-khcn/", {"q": "cong nghe sinh hoc"})
        self.assertEqual([t.code for t in response.context["page"].object_list], ["ĐT.02/22"])
        response = self.client.get("/ket-qua-khcn/", {"level": "national"})
        self.assertEqual([t.code for t in response.context["page"].object_list], ["ĐT.03/21"])
        response = self.client.get("/ket-qua-khcn/", {"year": "2023"})
        self.assertEqual([t.code for t in response.context["page"].object_list], ["ĐT.02/22"])

    def test_bad_filters_do_not_break_the_page(self):
        response = self.client.get("/ket-qua-khcn/", {"year": "abc", "level": "<script>"})
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "<script>")

    def test_detail_shows_budget_and_result(self):
        response = self.client.get("/nhiem-vu-khcn/ĐT.02%2F22/")
        self.assertEqual(response.status_code, 404)  # a slash in a code is not a path
        ScienceTask.objects.filter(code="ĐT.02/22").update(code="DT-02-22")
        response = self.client.get("/nhiem-vu-khcn/DT-02-22/")
        self.assertContains(response, "1.500.000.000 đ")


class ScienceFileTests(TestCase):
    client_class = VerifiedClient  # staff sign-ins pass two-factor (cchc.core.testing)

    def test_an_editor_attaches_a_result_file_and_a_disguised_one_is_refused(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from cchc.core.models import Unit
        from cchc.core.roles import Role
        from cchc.core.testing import make_agency, make_user
        from cchc.portal.models import ScienceTaskFile

        cache.clear()
        unit = Unit.objects.create(agency=make_agency(), code="VP", name="VP")
        editor = make_user("editor", unit, [Role.EDITOR])
        officer = make_user("officer", unit, [Role.SPECIALIST])
        task("DT-09", "Nhiệm vụ có tệp", "accepted")
        url = "/quan-ly/nhiem-vu-khcn/DT-09/tep/"
        pdf = b"%PDF-1.4\n%%EOF\n"
        self.client.force_login(officer)
        response = self.client.post(url, {"file": SimpleUploadedFile("kq.pdf", pdf)})
        self.assertEqual(response.status_code, 404)
        self.client.force_login(editor)
        self.client.post(url, {"file": SimpleUploadedFile("kq.pdf", b"MZ fake")})
        self.assertFalse(ScienceTaskFile.objects.exists())
        self.client.post(url, {"file": SimpleUploadedFile("kq.pdf", pdf), "title": "Báo cáo"})
        self.assertEqual(ScienceTaskFile.objects.get().mime, "application/pdf")
        self.client.logout()
        self.assertContains(self.client.get("/nhiem-vu-khcn/DT-09/"), "Báo cáo")
