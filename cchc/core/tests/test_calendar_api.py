from django.test import TestCase


class CalendarDueApiTests(TestCase):
    url = "/api/v1/calendar/due"

    def test_it_returns_the_due_time_and_its_explanation(self):
        response = self.client.get(
            self.url, {"start": "2025-01-24T10:00:00+07:00", "days": "5", "unit": "working_days"}
        )
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["due"], "2025-02-07T10:00:00+07:00")
        self.assertEqual(body["explanation"][0]["kind"], "start")
        self.assertTrue(any("Tết" in step["text"] for step in body["explanation"]))

    def test_it_counts_calendar_days(self):
        response = self.client.get(
            self.url, {"start": "2026-03-02T09:00", "days": "6", "unit": "days"}
        )
        self.assertEqual(response.json()["due"], "2026-03-09T23:59:59+07:00")

    def test_half_days_are_accepted(self):
        response = self.client.get(self.url, {"start": "2026-03-02T09:00", "days": "0.5"})
        self.assertEqual(response.json()["due"], "2026-03-02T14:30:00+07:00")

    def assertRefused(self, params, field):
        response = self.client.get(self.url, params)
        self.assertEqual(response.status_code, 400, response.content)
        errors = response.json()["errors"]
        self.assertIn(field, [e["field"] for e in errors])
        for error in errors:
            self.assertTrue(error["message"])
            self.assertNotIn("This field", error["message"])
        return errors

    def test_a_malformed_date_is_refused_in_vietnamese(self):
        errors = self.assertRefused({"start": "24/13/2025", "days": "5"}, "start")
        self.assertIn("ISO 8601", errors[0]["message"])

    def test_a_negative_period_is_refused(self):
        errors = self.assertRefused({"start": "2026-03-02T09:00", "days": "-1"}, "days")
        self.assertEqual(errors[0]["message"], "Số ngày không được âm.")

    def test_an_absurd_period_is_refused(self):
        self.assertRefused({"start": "2026-03-02T09:00", "days": "3651"}, "days")
        self.assertRefused({"start": "2026-03-02T09:00", "days": "1e9"}, "days")

    def test_a_period_not_in_half_days_is_refused(self):
        self.assertRefused({"start": "2026-03-02T09:00", "days": "2.3"}, "days")

    def test_an_unknown_unit_is_refused(self):
        self.assertRefused({"start": "2026-03-02T09:00", "days": "1", "unit": "weeks"}, "unit")

    def test_missing_parameters_are_named(self):
        errors = self.client.get(self.url).json()["errors"]
        self.assertEqual({e["field"] for e in errors}, {"start", "days"})
