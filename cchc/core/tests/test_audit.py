from django.contrib.contenttypes.models import ContentType

from cchc.core.models import AuditEntry, Unit
from cchc.core.services import audit_record
from cchc.core.testing import PersonaTestCase, make_user


class AuditRecordTests(PersonaTestCase):
    def test_it_records_actor_object_states_and_reason(self):
        entry = audit_record(
            actor=self.leader_a,
            obj=self.unit_a,
            action="status",
            from_state="2",
            to_state="4",
            reason="Chuyển xử lý",
            agency=self.agency,
        )
        entry.refresh_from_db()
        self.assertEqual(entry.actor, self.leader_a)
        self.assertEqual(entry.content_type, ContentType.objects.get_for_model(Unit))
        self.assertEqual(entry.object_id, str(self.unit_a.pk))
        self.assertEqual(
            (entry.from_state, entry.to_state, entry.reason), ("2", "4", "Chuyển xử lý")
        )
        self.assertIsNotNone(entry.at)

    def test_an_anonymous_actor_is_stored_as_none(self):
        from django.contrib.auth.models import AnonymousUser

        entry = audit_record(actor=AnonymousUser(), obj=self.unit_a, action="view")
        self.assertIsNone(entry.actor)

    def _audited_request_id(self, remote_addr, request_id):
        """What the audit entry of a change made during this request stores as its id."""
        from django.http import HttpResponse
        from django.test import RequestFactory

        from cchc.core.middleware import RequestIdMiddleware

        def view(request):
            audit_record(actor=self.leader_a, obj=self.unit_a, action="touch")
            return HttpResponse("ok")

        AuditEntry.objects.filter(action="touch").delete()
        headers = {"HTTP_X_REQUEST_ID": request_id} if request_id is not None else {}
        request = RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)
        response = RequestIdMiddleware(view)(request)
        stored = AuditEntry.objects.get(action="touch").request_id
        self.assertEqual(response["X-Request-ID"], stored)
        return stored

    def test_it_keeps_the_request_id_a_trusted_proxy_sent(self):
        with self.settings(TRUSTED_PROXIES=["10.0.0.5"]):
            for good in ("req-1234", "a" * 64, "0f3c9a1e.b7_X-42"):
                self.assertEqual(self._audited_request_id("10.0.0.5", good), good)

    def test_a_client_cannot_put_its_own_request_id_in_the_audit_chain(self):
        with self.settings(TRUSTED_PROXIES=["10.0.0.5"]):
            for remote in ("203.0.113.7", "10.0.0.6", "127.0.0.1"):
                stored = self._audited_request_id(remote, "spoofed-id-123")
                self.assertRegex(stored, r"^[0-9a-f]{32}$", remote)
        # No proxy configured: nobody's header is believed.
        self.assertRegex(self._audited_request_id("127.0.0.1", "req-123456"), r"^[0-9a-f]{32}$")

    def test_a_malformed_request_id_from_the_proxy_is_replaced(self):
        with self.settings(TRUSTED_PROXIES=["10.0.0.5"]):
            for bad in (
                "",
                "short",
                "a" * 65,
                "<script>alert(1)</script>",
                "id with space",
                "id\nforged: 1",
                "mã-yêu-cầu-1",
                "../../etc/passwd%00",
            ):
                stored = self._audited_request_id("10.0.0.5", bad)
                self.assertRegex(stored, r"^[0-9a-f]{32}$", repr(bad))
            self.assertRegex(self._audited_request_id("10.0.0.5", None), r"^[0-9a-f]{32}$")

    def test_every_request_gets_a_fresh_id(self):
        first = self._audited_request_id("127.0.0.1", None)
        self.assertNotEqual(first, self._audited_request_id("127.0.0.1", None))


class AuditAdminTests(PersonaTestCase):
    def setUp(self):
        audit_record(
            actor=self.leader_a,
            obj=self.unit_a,
            action="status",
            from_state="1",
            to_state="2",
            agency=self.agency,
        )
        audit_record(actor=self.leader_a, obj=self.unit_b, action="rename", agency=self.agency)

    def test_admins_list_and_filter_the_log(self):
        admin = make_user("root", self.unit_a, is_staff=True, is_superuser=True)
        client = self.client_class()
        client.force_login(admin)
        response = client.get("/quan-tri/core/auditentry/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Phòng A")
        self.assertContains(response, "Phòng B")
        filtered = client.get("/quan-tri/core/auditentry/", {"action": "rename"})
        self.assertEqual(filtered.status_code, 200)
        self.assertContains(filtered, "Phòng B")
        self.assertNotContains(filtered, ">Phòng A<")

    def test_the_log_cannot_be_edited_even_by_admins(self):
        admin = make_user("root", self.unit_a, is_staff=True, is_superuser=True)
        self.client.force_login(admin)
        entry = AuditEntry.objects.first()
        response = self.client.post(
            f"/quan-tri/core/auditentry/{entry.pk}/change/", {"reason": "sửa"}
        )
        self.assertIn(response.status_code, (403, 200))
        entry.refresh_from_db()
        self.assertEqual(entry.reason, "")
        self.assertEqual(self.client.get("/quan-tri/core/auditentry/add/").status_code, 403)

    def test_non_staff_personas_cannot_open_the_admin_log(self):
        for persona in ("officer_a", "agency_leader", "citizen", "anonymous"):
            with self.subTest(persona=persona):
                self.login_as(persona)
                response = self.client.get("/quan-tri/core/auditentry/")
                self.assertEqual(response.status_code, 302)
                self.assertIn("/quan-tri/login/", response["Location"])


class AgencyNationalCodeAuditTests(PersonaTestCase):
    def test_a_change_of_the_national_unit_code_in_the_admin_is_audited(self):
        admin = make_user("root", self.unit_a, is_staff=True, is_superuser=True)
        self.client.force_login(admin)
        url = f"/quan-tri/core/agency/{self.agency.pk}/change/"
        form = self.client.get(url).context["adminform"].form
        data = {name: form.initial.get(name) or "" for name in form.fields}
        data["national_code"] = "000.00.21.H45"
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302, getattr(response, "context", None))
        entry = AuditEntry.objects.get(action="national_code_changed")
        self.assertEqual((entry.actor, entry.to_state), (admin, "000.00.21.H45"))
        self.assertEqual(entry.from_state, "")
        # Saving again without changing the code records nothing more.
        data["name"] = self.agency.name + " (đổi tên)"
        self.client.post(url, data)
        self.assertEqual(AuditEntry.objects.filter(action="national_code_changed").count(), 1)
