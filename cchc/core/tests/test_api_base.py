import io

from django.core.management import call_command
from rest_framework.authtoken.models import Token

from cchc.core.testing import PersonaTestCase


class ApiBaseTests(PersonaTestCase):
    def test_the_openapi_schema_describes_the_calendar_endpoint(self):
        response = self.client.get("/api/schema/", HTTP_ACCEPT="application/json")
        self.assertEqual(response.status_code, 200)
        schema = response.json()
        self.assertIn("/api/v1/calendar/due", schema["paths"])
        self.assertIn("400", schema["paths"]["/api/v1/calendar/due"]["get"]["responses"])

    def test_the_docs_are_served_without_internet(self):
        response = self.client.get("/api/docs/")
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn("/static/drf_spectacular_sidecar/swagger-ui-dist/", html)
        self.assertNotIn("cdn.jsdelivr.net", html)
        self.assertNotIn("unpkg.com", html)

    def test_a_token_made_with_the_command_authenticates(self):
        call_command("drf_create_token", "officer_a", stdout=io.StringIO())
        token = Token.objects.get(user=self.officer_a)
        from rest_framework.test import APIClient

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        response = client.get("/api/v1/calendar/due", {"start": "2026-03-02T09:00", "days": "1"})
        self.assertEqual(response.status_code, 200)
        client.credentials(HTTP_AUTHORIZATION="Token sai-ma")
        response = client.get("/api/v1/calendar/due", {"start": "2026-03-02T09:00", "days": "1"})
        self.assertEqual(response.status_code, 401)
        self.assertEqual(
            response.json(), {"errors": [{"field": None, "message": "Mã xác thực không hợp lệ."}]}
        )

    def test_unknown_api_paths_and_methods_answer_in_json(self):
        response = self.client.post("/api/v1/calendar/due", {}, content_type="application/json")
        self.assertEqual(response.status_code, 405)
        self.assertEqual(
            response.json()["errors"][0]["message"], 'Không hỗ trợ phương thức "POST".'
        )


class DjangoValidationErrorTests(PersonaTestCase):
    def test_a_model_validation_error_becomes_a_400_with_fields(self):
        from django.core.exceptions import ValidationError

        from cchc.core.api import exception_handler

        response = exception_handler(ValidationError({"days": ["Số ngày không hợp lệ."]}), {})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.data, {"errors": [{"field": "days", "message": "Số ngày không hợp lệ."}]}
        )
        response = exception_handler(ValidationError("Không thể chuyển trạng thái."), {})
        self.assertEqual(
            response.data, {"errors": [{"field": None, "message": "Không thể chuyển trạng thái."}]}
        )
