from django.test import SimpleTestCase
from drf_spectacular.generators import SchemaGenerator


class SchemaTests(SimpleTestCase):
    def test_the_plans_and_reports_endpoints_are_in_the_openapi_schema(self):
        paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
        for path, methods in [
            ("/api/v1/plans/", {"get", "post"}),
            ("/api/v1/plans/{id}/", {"get", "patch", "delete"}),
            ("/api/v1/plans/{plan_pk}/tasks/", {"get", "post"}),
            ("/api/v1/plans/tasks/{id}/", {"get", "patch", "delete"}),
            ("/api/v1/plans/legal-reviews/", {"get", "post"}),
            ("/api/v1/plans/procedure-reviews/", {"get", "post"}),
            ("/api/v1/plans/quality-records/", {"get", "post"}),
            ("/api/v1/plans/regulations/", {"get"}),
            ("/api/v1/reports/dashboard/", {"get"}),
            ("/api/v1/reports/", {"get", "post"}),
            ("/api/v1/reports/{id}/download/{fmt}/", {"get"}),
        ]:
            self.assertTrue(methods <= set(paths[path]), path)
