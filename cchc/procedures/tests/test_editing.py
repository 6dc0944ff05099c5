from decimal import Decimal

from cchc.core.roles import Role
from cchc.core.testing import PersonaTestCase, make_user
from cchc.dossiers.models import Dossier
from cchc.procedures.models import Procedure


class EditingPageTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.procedure = Procedure.objects.create(
            code="1.014438",
            name="Công nhận trung tâm đổi mới sáng tạo",
            field="Đổi mới sáng tạo",
            time=Decimal(15),
            time_unit="working_days",
        )
        cls.admin = make_user("admin_a", cls.unit_a, [Role.SYSTEM_ADMIN])

    def form(self, **changes):
        data = {
            "name": self.procedure.name,
            "field": self.procedure.field,
            "time": "15",
            "time_unit": "working_days",
            "fee_text": "Không",
            "online_form": "partial",
        }
        data.update(changes)
        return data

    def test_only_catalogue_editors_reach_the_pages(self):
        expected = {
            "leader_a": 200,
            "agency_leader": 200,
            "officer_a": 404,
            "outsider": 404,
            "citizen": 404,
            "anonymous": 404,
        }
        for persona, status in expected.items():
            self.login_as(persona)
            self.assertEqual(
                self.client.get(f"/thu-tuc/{self.procedure.pk}/sua/").status_code, status, persona
            )
            self.assertEqual(
                self.client.get(f"/thu-tuc/{self.procedure.pk}/quy-trinh/").status_code,
                status,
                persona,
            )

    def test_leaders_of_another_agency_may_not_edit_this_catalogue(self):
        # The catalogue is the site agency's (its steps route to its units): a unit leader or
        # an agency leader of another agency gets 404 on every editor page, and nothing changes.
        self.make_other_agency_personas()
        before = Procedure.objects.get(pk=self.procedure.pk).name
        pk = self.procedure.pk
        for user in (self.outsider_leader, self.outsider_chief):
            self.client.force_login(user)
            for page in ("sua", "quy-trinh", "thanh-phan", "can-cu"):
                self.assertEqual(
                    self.client.get(f"/thu-tuc/{pk}/{page}/").status_code, 404, (user, page)
                )
            response = self.client.post(f"/thu-tuc/{pk}/sua/", self.form(name="Bị sửa"))
            self.assertEqual(response.status_code, 404, user)
        self.assertEqual(Procedure.objects.get(pk=pk).name, before)

    def test_the_step_editor_says_when_the_steps_exceed_the_legal_time(self):
        self.client.force_login(self.admin)
        data = {
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "0",
            "form-0-name": "Thẩm định",
            "form-0-working_days": "17",
            "form-1-name": "Ký",
            "form-1-working_days": "2",
        }
        response = self.client.post(f"/thu-tuc/{self.procedure.pk}/quy-trinh/", data)
        self.assertContains(response, "vượt thời hạn giải quyết")
        self.assertFalse(self.procedure.steps.exists())
        data["form-0-working_days"] = "11"
        self.assertEqual(
            self.client.post(f"/thu-tuc/{self.procedure.pk}/quy-trinh/", data).status_code, 302
        )
        self.assertEqual(self.procedure.steps.count(), 2)

    def test_the_step_editor_routes_steps_to_units_of_the_agency_and_keeps_them(self):
        self.client.force_login(self.admin)
        url = f"/thu-tuc/{self.procedure.pk}/quy-trinh/"
        data = {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "0",
            "form-0-name": "Thẩm định",
            "form-0-working_days": "5",
            "form-0-unit": str(self.outsider.unit_id),
        }
        self.assertEqual(self.client.post(url, data).status_code, 200)
        self.assertFalse(self.procedure.steps.exists())
        data["form-0-unit"] = str(self.unit_a.pk)
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.assertEqual(self.procedure.steps.get().unit, self.unit_a)
        page = self.client.get(url)
        self.assertContains(page, f'<option value="{self.unit_a.pk}" selected>')

    def step_rows(self, *rows):
        data = {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": "0"}
        for i, (name, days, flags) in enumerate(rows):
            data[f"form-{i}-name"] = name
            data[f"form-{i}-working_days"] = days
            for flag in flags:
                data[f"form-{i}-{flag}"] = "on"
        return data

    def test_the_step_editor_sets_and_keeps_the_decision_and_optional_steps(self):
        # Saving the steps page again must not drop the flags the workflow runs on: without
        # the decision step the dossier would be decided at the wrong step.
        self.client.force_login(self.admin)
        url = f"/thu-tuc/{self.procedure.pk}/quy-trinh/"
        data = self.step_rows(
            ("Tiếp nhận, chuyển hồ sơ", "0.5", ()),
            ("Thẩm định", "8", ()),
            ("Lấy ý kiến chuyên gia", "2", ("optional",)),
            ("Trình ký, phê duyệt", "2", ("is_decision",)),
            ("Trả kết quả", "0.5", ()),
        )
        self.assertEqual(self.client.post(url, data).status_code, 302)
        flags = list(self.procedure.steps.values_list("name", "optional", "is_decision"))
        self.assertEqual(
            [(n, o, d) for n, o, d in flags if o or d],
            [("Lấy ý kiến chuyên gia", True, False), ("Trình ký, phê duyệt", False, True)],
        )
        page = self.client.get(url)
        self.assertContains(page, 'id="id_form-3-is_decision" checked')
        self.assertContains(page, 'id="id_form-2-optional" checked')

    def test_the_step_editor_refuses_two_decision_steps_or_an_optional_decision(self):
        self.client.force_login(self.admin)
        url = f"/thu-tuc/{self.procedure.pk}/quy-trinh/"
        two = self.step_rows(("Thẩm định", "5", ("is_decision",)), ("Ký", "2", ("is_decision",)))
        response = self.client.post(url, two)
        self.assertContains(response, "Chỉ một bước là bước trình ký, phê duyệt")
        optional = self.step_rows(("Ký", "2", ("is_decision", "optional")))
        response = self.client.post(url, optional)
        self.assertContains(response, "không thể bỏ qua")
        self.assertFalse(self.procedure.steps.exists())

    def test_editing_parses_the_fee_and_versions_when_dossiers_exist(self):
        self.client.force_login(self.admin)
        response = self.client.post(
            f"/thu-tuc/{self.procedure.pk}/sua/", self.form(fee_text="500.000 đ")
        )
        self.assertEqual(response.status_code, 302)
        self.procedure.refresh_from_db()
        self.assertEqual(
            (self.procedure.fee_kind, self.procedure.fee_amount, self.procedure.version),
            ("fixed", Decimal(500000), 1),
        )
        Dossier.objects.create(
            code="T-1",
            agency=self.agency,
            procedure=self.procedure,
            channel=1,
            status=2,
            submitted_at="2026-01-05T09:00+07:00",
        )
        response = self.client.post(f"/thu-tuc/{self.procedure.pk}/sua/", self.form(time="10"))
        new = Procedure.objects.current().get(series=self.procedure.series)
        self.assertRedirects(response, f"/thu-tuc/{new.pk}/")
        self.assertEqual((new.version, new.time), (2, Decimal(10)))
        self.assertEqual(Procedure.objects.get(pk=self.procedure.pk).time, Decimal(15))

    def test_a_time_without_unit_is_refused(self):
        self.client.force_login(self.admin)
        response = self.client.post(f"/thu-tuc/{self.procedure.pk}/sua/", self.form(time_unit=""))
        self.assertContains(response, "cần có đơn vị", status_code=400)
        self.procedure.refresh_from_db()
        self.assertEqual(self.procedure.fee_kind, "unknown")

    def test_components_are_edited_and_versioned_once_dossiers_exist(self):
        self.client.force_login(self.admin)
        url = f"/thu-tuc/{self.procedure.pk}/thanh-phan/"
        data = {
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "0",
            "form-0-name": "Đơn đề nghị",
            "form-0-copies": "1",
            "form-0-form": "original",
            "form-0-required": "on",
            "form-1-name": "Đề án",
            "form-1-copies": "0",
            "form-1-form": "copy",
        }
        self.assertEqual(self.client.post(url, data).status_code, 200)  # 0 copies is refused
        self.assertFalse(self.procedure.components.exists())
        data["form-1-copies"] = "2"
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.assertEqual(
            list(self.procedure.components.values_list("name", "copies", "required")),
            [("Đơn đề nghị", 1, True), ("Đề án", 2, False)],
        )
        Dossier.objects.create(
            code="T-2",
            agency=self.agency,
            procedure=self.procedure,
            channel=1,
            status=2,
            submitted_at="2026-01-05T09:00+07:00",
        )
        data.update({"form-INITIAL_FORMS": "2", "form-1-DELETE": "on"})  # as the page posts it
        self.client.post(url, data)
        new = Procedure.objects.current().get(series=self.procedure.series)
        self.assertEqual(
            (new.version, new.components.count(), self.procedure.components.count()), (2, 1, 2)
        )
        self.login_as("officer_a")
        self.assertEqual(self.client.get(f"/thu-tuc/{new.pk}/thanh-phan/").status_code, 404)

    def test_a_component_template_is_uploaded_sniffed_and_kept(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        self.client.force_login(self.admin)
        url = f"/thu-tuc/{self.procedure.pk}/thanh-phan/"
        data = {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "0",
            "form-0-name": "Đơn đề nghị",
            "form-0-copies": "1",
            "form-0-form": "original",
            "form-0-required": "on",
        }
        disguised = SimpleUploadedFile("mau-don.pdf", b"MZ\x90\x00" + b"\x00" * 100)
        response = self.client.post(url, {**data, "form-0-template_file": disguised})
        self.assertContains(response, "không đúng loại")
        self.assertFalse(self.procedure.components.exists())
        pdf = SimpleUploadedFile(
            "mau-don.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
        )
        self.assertEqual(
            self.client.post(url, {**data, "form-0-template_file": pdf}).status_code, 302
        )
        stored = self.procedure.components.get().template_file.name
        self.assertTrue(stored.startswith("procedures/templates/"))
        data["form-INITIAL_FORMS"] = "1"
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.assertEqual(self.procedure.components.get().template_file.name, stored)
        self.assertContains(self.client.get(f"/thu-tuc/{self.procedure.pk}/"), "Tải mẫu")

    def test_legal_bases_carry_validity_dates(self):
        self.client.force_login(self.admin)
        url = f"/thu-tuc/{self.procedure.pk}/can-cu/"
        data = {
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "0",
            "form-0-title": "Nghị định 268/2025/NĐ-CP",
            "form-0-valid_from": "2025-10-01",
            "form-1-title": "Nghị định 08/2014/NĐ-CP",
            "form-1-valid_from": "2014-03-20",
            "form-1-valid_to": "2014-01-01",
        }
        response = self.client.post(url, data)
        self.assertContains(response, "phải sau ngày có hiệu lực", status_code=400)
        self.assertFalse(self.procedure.legal_bases.exists())
        data["form-1-valid_to"] = "2025-09-30"
        self.assertEqual(self.client.post(url, data).status_code, 302)
        page = self.client.get(f"/thu-tuc/{self.procedure.pk}/")
        self.assertContains(page, "01/10/2025")
        self.assertContains(page, "đã hết hiệu lực", count=1)
