import io
from unittest import mock

from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import OperationalError
from django.template import Context, Template
from django.test import TestCase, override_settings

from cchc.core.models import Abbreviation, Agency, CalendarOverride, Unit, User
from cchc.core.selectors import unit_tree
from cchc.core.testing import VerifiedClient
from cchc.env import env_bool, env_int


class MigrationTests(TestCase):
    def test_no_model_change_is_missing_a_migration(self):
        out = io.StringIO()
        try:
            call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
        except SystemExit:
            self.fail("Missing migrations:\n" + out.getvalue())


class HealthTests(TestCase):
    def test_it_is_healthy_when_the_database_answers(self):
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "ok", "database": True})

    def test_it_says_503_when_the_database_does_not_answer(self):
        # Fault injection: the database connection refuses to give a cursor.
        with mock.patch("cchc.core.views.connection.cursor", side_effect=OperationalError("down")):
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 503)
        self.assertFalse(response.json()["database"])


class EnvHelperTests(TestCase):
    def test_booleans_and_numbers_fail_loudly(self):
        with mock.patch.dict("os.environ", {"X_FLAG": "maybe", "X_NUM": "ten"}):
            with self.assertRaises(ImproperlyConfigured):
                env_bool("X_FLAG")
            with self.assertRaises(ImproperlyConfigured):
                env_int("X_NUM", 1)
        with mock.patch.dict("os.environ", {"X_FLAG": "yes", "X_NUM": "7"}):
            self.assertTrue(env_bool("X_FLAG"))
            self.assertEqual(env_int("X_NUM", 1), 7)


class VietnameseFormatTests(TestCase):
    def test_numbers_use_a_decimal_comma_and_dot_thousands(self):
        html = Template(
            "{% load cchc humanize %}{{ index|floatformat:3 }} {{ big|intcomma }} {{ fee|vnd }}"
        ).render(Context({"index": 76.473, "big": 1234567, "fee": 1234567}))
        self.assertEqual(html, "76,473 1.234.567 1.234.567 đ")

    def test_ids_and_years_are_never_grouped(self):
        html = Template("{{ pk }} {{ year }}").render(Context({"pk": 5912, "year": 2026}))
        self.assertEqual(html, "5912 2026")

    def test_dates_are_day_month_year(self):
        import datetime as dt

        self.assertEqual(
            Template("{{ d|date }}").render(Context({"d": dt.date(2026, 1, 5)})), "05/01/2026"
        )


class CalendarOverrideFormTests(TestCase):
    def test_a_date_already_present_is_a_clear_form_error(self):
        from cchc.core.forms import CalendarOverrideForm

        CalendarOverride.objects.create(date="2026-08-22", is_working_day=True, reason="Làm bù")
        form = CalendarOverrideForm(
            {"date": "22/08/2026", "is_working_day": "on", "reason": "Lần hai"}
        )
        self.assertFalse(form.is_valid())
        self.assertEqual(form.errors["date"], ["Ngày này đã có điều chỉnh lịch."])
        self.assertEqual(CalendarOverride.objects.count(), 1)


class DueCalculatorPageTests(TestCase):
    def test_it_shows_the_due_time_and_why(self):
        response = self.client.get(
            "/tinh-han/", {"start": "2025-01-24T10:00", "days": "5", "unit": "working_days"}
        )
        self.assertContains(response, "10:00 07/02/2025")
        self.assertContains(response, "Tết Nguyên Đán")

    def test_htmx_gets_only_the_result_partial(self):
        response = self.client.get(
            "/tinh-han/",
            {"start": "2025-01-24T10:00", "days": "5", "unit": "working_days"},
            HTTP_HX_REQUEST="true",
        )
        self.assertContains(response, 'id="due-result"')
        self.assertNotContains(response, "<html")

    def test_bad_input_is_a_vietnamese_message(self):
        response = self.client.get("/tinh-han/", {"start": "hôm qua", "days": "-3", "unit": "tuần"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Thời điểm không hợp lệ.")
        self.assertContains(response, "Số ngày không được âm.")
        response = self.client.get(
            "/tinh-han/", {"start": "2026-03-02T09:00", "days": "2,3", "unit": "working_days"}
        )
        self.assertContains(response, "nửa ngày")


class DemoLoaderTests(TestCase):
    def test_it_is_idempotent_and_builds_the_demo_agency(self):
        out = io.StringIO()
        call_command("load_demo", stdout=out)
        counts = (
            Agency.objects.count(),
            Unit.objects.count(),
            User.objects.count(),
            CalendarOverride.objects.count(),
            Abbreviation.objects.count(),
        )
        call_command("load_demo", "--quiet-accounts", stdout=io.StringIO())
        self.assertEqual(
            counts,
            (
                Agency.objects.count(),
                Unit.objects.count(),
                User.objects.count(),
                CalendarOverride.objects.count(),
                Abbreviation.objects.count(),
            ),
        )
        self.assertGreaterEqual(counts[0], 2)
        self.assertGreaterEqual(Abbreviation.objects.count(), 30)
        self.assertIn("Demo@2026", out.getvalue())
        agency = Agency.objects.get(code="SKHCN")
        kinds = set(agency.units.values_list("kind", flat=True))
        self.assertTrue(
            {
                "office",
                "planning_finance",
                "science_management",
                "technology_management",
                "standards",
                "inspectorate",
                "application_centre",
            }
            <= kinds
        )
        self.assertTrue(User.objects.get(username="motcua").check_password("Demo@2026"))
        self.assertTrue(User.objects.get(username="motcua").has_role("one_stop_officer"))

    def test_the_unit_tree_lists_children_under_parents(self):
        agency = Agency.objects.create(code="T", name="T", short_name="T", place_name="T")
        root = Unit.objects.create(agency=agency, code="R", name="Gốc", order=0)
        Unit.objects.create(agency=agency, code="C", name="Con", parent=root, order=1)
        Unit.objects.create(agency=agency, code="S", name="Khác", order=2)
        self.assertEqual(
            [(u.code, d) for u, d in unit_tree(agency)], [("R", 0), ("C", 1), ("S", 0)]
        )


@override_settings(SITE_AGENCY_CODE="SKHCN")
class PageShellTests(TestCase):
    def test_header_and_footer_show_the_agency(self):
        call_command("load_demo", "--quiet-accounts", stdout=io.StringIO())
        from django.core.cache import cache

        cache.clear()
        response = self.client.get("/tu-viet-tat/")
        self.assertContains(response, "ỦY BAN NHÂN DÂN TỈNH PHÚ THỌ")
        self.assertContains(response, "SỞ KHOA HỌC VÀ CÔNG NGHỆ TỈNH PHÚ THỌ")
        self.assertContains(response, 'class="skip-link"')
        self.assertContains(response, 'role="search"')
        self.assertContains(response, "skhcn@demo.cchc.vn")
        self.assertContains(response, "/static/django_htmx/htmx")


class NavigationTests(TestCase):
    def test_staff_only_entries_are_hidden_from_the_public(self):
        from cchc.core import registry
        from cchc.core.testing import make_agency, make_user

        registry.register_nav("core:calendar", "Mục nội bộ", order=81, staff_only=True)
        try:
            self.assertNotContains(self.client.get("/tu-viet-tat/"), "Mục nội bộ")
            agency = make_agency()
            unit = Unit.objects.create(agency=agency, code="A", name="Phòng A")
            self.client.force_login(make_user("staff", unit))
            self.assertContains(self.client.get("/tu-viet-tat/"), "Mục nội bộ")
        finally:
            registry.register_nav("core:calendar", "Tính hạn xử lý", order=80)


class RoleNavigationTests(TestCase):
    client_class = VerifiedClient  # staff sign-ins pass two-factor (cchc.core.testing)

    def test_entries_with_roles_are_shown_only_to_holders(self):
        from cchc.core import registry
        from cchc.core.roles import Role
        from cchc.core.testing import make_agency, make_user

        registry.register_nav("core:calendar", "Mục biên tập", order=81, roles=[Role.EDITOR])
        try:
            agency = make_agency()
            unit = Unit.objects.create(agency=agency, code="A", name="Phòng A")
            self.client.force_login(make_user("officer", unit, [Role.SPECIALIST]))
            self.assertNotContains(self.client.get("/tu-viet-tat/"), "Mục biên tập")
            self.client.force_login(make_user("editor", unit, [Role.EDITOR]))
            self.assertContains(self.client.get("/tu-viet-tat/"), "Mục biên tập")
            self.client.logout()
            self.assertNotContains(self.client.get("/tu-viet-tat/"), "Mục biên tập")
        finally:
            registry.register_nav("core:calendar", "Tính hạn xử lý", order=80)

    def test_entries_with_a_check_are_shown_only_when_it_passes(self):
        from cchc.core import registry
        from cchc.core.permissions import acts_for
        from cchc.core.roles import Role
        from cchc.core.testing import make_agency, make_user

        ours = make_agency()
        other = make_agency(code="OTHER", name="Sở khác")
        registry.register_nav(
            "core:calendar",
            "Mục của Sở",
            order=81,
            roles=[Role.EDITOR],
            check=lambda user: acts_for(user, ours.pk),
        )
        try:
            unit = Unit.objects.create(agency=ours, code="A", name="Phòng A")
            other_unit = Unit.objects.create(agency=other, code="A", name="Phòng A")
            self.client.force_login(make_user("editor", unit, [Role.EDITOR]))
            self.assertContains(self.client.get("/tu-viet-tat/"), "Mục của Sở")
            self.client.force_login(make_user("other_editor", other_unit, [Role.EDITOR]))
            self.assertNotContains(self.client.get("/tu-viet-tat/"), "Mục của Sở")
            self.client.logout()
            self.assertNotContains(self.client.get("/tu-viet-tat/"), "Mục của Sở")
        finally:
            registry.register_nav("core:calendar", "Tính hạn xử lý", order=80)
