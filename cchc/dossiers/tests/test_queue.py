"""The staff queue: filters (procedure, status, step, unit, due), counts per option, pagination,
bad values, scope; the page and the API alike. Due filters count in the agency's time zone."""

import itertools

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cchc.dossiers import selectors
from cchc.dossiers.models import Channel, Dossier, Status
from cchc.dossiers.tests.helpers import DeskTestCase, at, make_procedure

API = "/api/v1/dossiers/queue"
PAGE = "/ho-so/"
_numbers = itertools.count(1)


class QueueTestCase(DeskTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.make_other_agency_personas()
        # The procedure opens with the desk's step (no dossier of these tests is at it); step1
        # and step2 are the unit's "Thẩm định" and the leadership's "Ký duyệt".
        cls.desk_step, cls.step1, cls.step2 = cls.procedure.steps.order_by("order")
        cls.other_procedure = make_procedure(steps=[("Xử lý", "2", cls.unit_b)])
        cls.other_procedure.name = "Đăng ký kết quả nhiệm vụ khoa học và công nghệ"
        cls.other_procedure.save()
        cls.other_step = cls.other_procedure.steps.get()

    @classmethod
    def make(
        cls,
        status=Status.PROCESSING,
        due=None,
        *,
        procedure=None,
        step=None,
        unit=None,
        agency=None,
        appointment=None,
    ):
        return Dossier.objects.create(
            code=f"T-{next(_numbers):04d}",
            agency=agency or cls.agency,
            procedure=procedure or cls.procedure,
            channel=Channel.ONLINE,
            status=status,
            applicant_name="Nguyễn Văn An",
            applicant_id_number="001203004567",
            applicant_phone="0912345678",
            applicant_address="Việt Trì",
            submitted_at=at(2026, 2, 2),
            due_at=due,
            appointment_at=appointment,
            current_step=step,
            current_unit=unit if unit is not None else (step.unit if step else None),
        )

    def api_codes(self, query=""):
        response = self.client.get(f"{API}?{query}")
        self.assertEqual(response.status_code, 200, (query, response.content))
        return {d["code"] for d in response.json()["results"]}

    def page_codes(self, query=""):
        response = self.client.get(f"{PAGE}?{query}")
        self.assertEqual(response.status_code, 200, query)
        return {d.code for d in response.context["page"].object_list}

    def both(self, query):
        api, page = self.api_codes(query), self.page_codes(query)
        self.assertEqual(api, page, query)
        return api


@time_machine.travel(at(2026, 3, 4, 10), tick=False)  # a Wednesday
class QueueFilterTests(QueueTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.overdue = cls.make(due=at(2026, 3, 3, 16), step=cls.step1)
        cls.today = cls.make(due=at(2026, 3, 4, 16), step=cls.step2)
        cls.friday = cls.make(Status.RECEIVED, at(2026, 3, 6, 10), unit=cls.leadership)
        cls.next_week = cls.make(
            due=at(2026, 3, 10), procedure=cls.other_procedure, step=cls.other_step
        )
        cls.new = cls.make(Status.SUBMITTED, procedure=cls.other_procedure)
        cls.returned = cls.make(Status.RETURNED, at(2026, 2, 20), unit=cls.leadership)
        # The legal due time passed, but the apology (BM.04) set a new appointment on Thursday.
        cls.appointment = cls.make(
            due=at(2026, 3, 2, 16), step=cls.step1, appointment=at(2026, 3, 5, 10)
        )
        cls.theirs = cls.make(due=at(2026, 3, 3, 16), agency=cls.other_agency, unit=cls.other_unit)

    def setUp(self):
        self.client.force_login(self.desk)

    def codes(self, *dossiers):
        return {d.code for d in dossiers}

    def test_without_filters_the_open_submitted_and_decided_dossiers_show(self):
        self.assertEqual(
            self.both(""),
            self.codes(
                self.overdue, self.today, self.friday, self.next_week, self.new, self.appointment
            ),
        )

    def test_each_filter(self):
        p, q = self.procedure.pk, self.other_procedure.pk
        expected = {
            f"procedure={p}": (self.overdue, self.today, self.friday, self.appointment),
            f"procedure={q}": (self.next_week, self.new),
            f"status={Status.RECEIVED}": (self.friday,),
            f"status={Status.RETURNED}": (self.returned,),
            f"step={self.step1.pk}": (self.overdue, self.appointment),
            f"step={self.other_step.pk}": (self.next_week,),
            f"unit={self.leadership.pk}": (self.today, self.friday),
            f"unit={self.unit_b.pk}": (self.next_week,),
            "due=overdue": (self.overdue,),
            "due=today": (self.today,),
            "due=week": (self.today, self.friday, self.appointment),
            "loc=new": (self.new,),
        }
        for query, dossiers in expected.items():
            self.assertEqual(self.both(query), self.codes(*dossiers), query)

    def test_filters_combine(self):
        p = self.procedure.pk
        expected = {
            f"procedure={p}&due=week": (self.today, self.friday, self.appointment),
            f"procedure={p}&due=week&status={Status.PROCESSING}": (self.today, self.appointment),
            f"procedure={p}&unit={self.unit_a.pk}&due=week": (self.appointment,),
            f"procedure={self.other_procedure.pk}&due=overdue": (),
            f"step={self.step1.pk}&status={Status.RECEIVED}": (),
        }
        for query, dossiers in expected.items():
            self.assertEqual(self.both(query), self.codes(*dossiers), query)

    def counts(self, query):
        body = self.client.get(f"{API}?{query}").json()
        page = self.client.get(f"{PAGE}?{query}").context["counts"]
        as_dict = {
            name: {o["value"]: o["count"] for o in options}
            for name, options in body["counts"].items()
        }
        self.assertEqual(
            as_dict,
            {n: {o["value"]: o["count"] for o in options} for n, options in page.items()},
        )
        return as_dict

    def test_counts_per_option_respect_the_other_filters(self):
        p, q = str(self.procedure.pk), str(self.other_procedure.pk)
        counts = self.counts("")
        self.assertEqual(counts["procedure"], {p: 4, q: 2})
        self.assertEqual(counts["due"], {"overdue": 1, "today": 1, "week": 3})
        # The status counts are those of each status, the closed ones too.
        self.assertEqual(counts["status"][str(Status.PROCESSING.value)], 4)
        self.assertEqual(counts["status"][str(Status.RETURNED.value)], 1)
        self.assertEqual(counts["status"][str(Status.REFUSED.value)], 0)
        self.assertEqual(counts["unit"][str(self.leadership.pk)], 2)
        self.assertEqual(
            counts["step"],
            {
                str(self.step1.pk): 2,
                str(self.step2.pk): 1,
                str(self.other_step.pk): 1,
            },
        )

        counts = self.counts(f"procedure={p}&due=week")
        # A filter's own options ignore its own choice but obey the others.
        self.assertEqual(counts["procedure"], {p: 3, q: 0})
        self.assertEqual(counts["due"], {"overdue": 1, "today": 1, "week": 3})
        self.assertEqual(counts["status"][str(Status.PROCESSING.value)], 2)
        self.assertEqual(counts["status"][str(Status.RECEIVED.value)], 1)
        self.assertEqual(counts["status"][str(Status.SUBMITTED.value)], 0)
        self.assertEqual(
            counts["unit"],
            {str(self.unit_a.pk): 1, str(self.leadership.pk): 2, str(self.unit_b.pk): 0},
        )

    def test_the_page_shows_each_count_next_to_its_option(self):
        page = self.client.get(f"{PAGE}?procedure={self.procedure.pk}").content.decode()
        self.assertIn(f'<option value="{self.procedure.pk}" selected>', page)
        self.assertIn(f"{self.procedure.name} (4)", page)
        self.assertIn("Quá hạn (1)", page)
        self.assertIn("Đến hạn trong tuần này (3)", page)

    def test_counts_take_the_same_few_queries_however_many_options(self):
        def queries():
            with CaptureQueriesContext(connection) as captured:
                selectors.queue_counts(self.desk, {})
            return len(captured)

        queries()  # warm: the person's unit
        before = queries()
        for i in range(5):
            procedure = make_procedure(steps=[(f"Bước {i}", "1", self.unit_b)])
            self.make(procedure=procedure, step=procedure.steps.get(), due=at(2026, 3, 5))
        self.assertEqual(queries(), before)
        self.assertLessEqual(before, 2)

    def test_an_officer_of_another_agency_sees_none_of_ours_in_the_list_or_the_counts(self):
        # The other agency's desk sees all of its dossiers, its specialist those at the unit.
        for persona in ("outsider_chief", "outsider"):
            self.client.force_login(getattr(self, persona))
            expected = self.codes(self.theirs)
            self.assertEqual(self.both(""), expected, persona)
            counts = self.counts("")
            self.assertEqual(sum(counts["status"].values()), len(expected), persona)
            self.assertEqual(counts["procedure"], {str(self.procedure.pk): 1}, persona)
            self.assertEqual(counts["unit"], {str(self.other_unit.pk): 1}, persona)
            self.assertEqual(sum(counts["due"].values()), len(expected), persona)
            # Our procedure named in the filter: still nothing of ours.
            self.assertEqual(self.both(f"procedure={self.procedure.pk}"), expected, persona)
        self.client.force_login(self.desk)
        self.assertNotIn(self.theirs.code, self.both(f"procedure={self.procedure.pk}"))
        self.assertEqual(self.counts("")["procedure"][str(self.procedure.pk)], 4)

    def test_bad_values_get_a_clear_message_never_a_500(self):
        cases = {
            "page=abc": ("page", "Số trang không hợp lệ."),
            "page=0": ("page", "Số trang không hợp lệ."),
            "page=99": ("page", "Không có trang này."),
            "due=tomorrow": ("due", "Hạn xử lý không hợp lệ"),
            "status=99": ("status", "Trạng thái không hợp lệ"),
            "status=abc": ("status", "Trạng thái không hợp lệ"),
            "procedure=999999": ("procedure", "Không có thủ tục này"),
            "procedure=abc": ("procedure", "Không có thủ tục này"),
            "step=999999": ("step", "Không có bước xử lý này"),
            f"unit={self.other_unit.pk}": ("unit", "Không có đơn vị này"),
            "loc=everything": ("loc", "Cách xem không hợp lệ"),
            "due=%00": ("due", "Hạn xử lý không hợp lệ"),
        }
        for query, (field, message) in cases.items():
            api = self.client.get(f"{API}?{query}")
            self.assertEqual(api.status_code, 400, query)
            errors = api.json()["errors"]
            self.assertEqual(errors[0]["field"], field, query)
            self.assertIn(message, errors[0]["message"], query)
            page = self.client.get(f"{PAGE}?{query}")
            self.assertContains(page, message, status_code=400, msg_prefix=query)
            self.assertContains(page, "<h1>", status_code=400)


class QueuePaginationTests(QueueTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for _ in range(55):
            cls.make(due=at(2026, 3, 3, 16), step=cls.step1)
        cls.make(due=at(2026, 3, 3, 16), procedure=cls.other_procedure, step=cls.other_step)

    def setUp(self):
        self.client.force_login(self.desk)

    @time_machine.travel(at(2026, 3, 4, 10), tick=False)
    def test_pages_keep_the_filters(self):
        query = f"procedure={self.procedure.pk}&due=overdue"
        body = self.client.get(f"{API}?{query}").json()
        self.assertEqual(body["count"], 55)
        self.assertEqual(len(body["results"]), 50)
        self.assertIn(f"procedure={self.procedure.pk}", body["next"])
        self.assertIn("due=overdue", body["next"])
        second = self.client.get(body["next"]).json()
        self.assertEqual(len(second["results"]), 5)
        self.assertEqual(len({d["code"] for d in body["results"] + second["results"]}), 55)

        page = self.client.get(f"{PAGE}?{query}")
        self.assertEqual(len(page.context["page"].object_list), 50)
        self.assertContains(page, f"?procedure={self.procedure.pk}&amp;due=overdue&amp;page=2")
        second = self.client.get(f"{PAGE}?{query}&page=2")
        self.assertEqual(len(second.context["page"].object_list), 5)
        self.assertContains(second, f"?procedure={self.procedure.pk}&amp;due=overdue&amp;page=1")

    @time_machine.travel(at(2026, 3, 4, 10), tick=False)
    def test_an_htmx_request_gets_only_the_results(self):
        response = self.client.get(f"{PAGE}?due=overdue", headers={"HX-Request": "true"})
        self.assertNotContains(response, "<h1>")
        self.assertContains(response, 'id="results"')
        self.assertContains(response, "Quá hạn (56)")


class DueFilterClockTests(QueueTestCase):
    """ "Today" is the agency's local date; "this week" ends on the local Sunday night."""

    def setUp(self):
        self.client.force_login(self.desk)

    def due(self, which):
        return self.both(f"due={which}")

    def test_on_a_friday_next_monday_is_not_this_week(self):
        friday_afternoon = self.make(due=at(2026, 3, 6, 16))
        friday_morning = self.make(due=at(2026, 3, 6, 9))
        saturday_makeup = self.make(due=at(2026, 3, 7, 10))  # a make-up working Saturday
        monday = self.make(due=at(2026, 3, 9, 8))
        with time_machine.travel(at(2026, 3, 6, 10), tick=False):
            self.assertEqual(self.due("overdue"), {friday_morning.code})
            self.assertEqual(self.due("today"), {friday_afternoon.code})
            self.assertEqual(self.due("week"), {friday_afternoon.code, saturday_makeup.code})
        self.assertNotIn(monday.code, self.both("due=week"))

    def test_today_is_the_local_date_not_the_utc_one(self):
        thursday = self.make(due=at(2026, 3, 5, 16))
        # 06:30 on Thursday in Hà Nội is still Wednesday in UTC.
        with time_machine.travel(at(2026, 3, 5, 6, 30), tick=False):
            self.assertEqual(self.due("today"), {thursday.code})
        # 23:30 on Wednesday in Hà Nội: Thursday is tomorrow.
        with time_machine.travel(at(2026, 3, 4, 23, 30), tick=False):
            self.assertEqual(self.due("today"), set())
            self.assertEqual(self.due("week"), {thursday.code})

    def test_the_week_is_the_local_week(self):
        monday = self.make(due=at(2026, 3, 9, 16))
        next_monday = self.make(due=at(2026, 3, 16, 8))
        # 06:00 on Monday in Hà Nội is Sunday night in UTC: the new week has begun.
        with time_machine.travel(at(2026, 3, 9, 6), tick=False):
            self.assertEqual(self.due("week"), {monday.code})
        # Sunday 23:00 in Hà Nội: the week ends within the hour, Monday is next week.
        with time_machine.travel(at(2026, 3, 8, 23), tick=False):
            self.assertEqual(self.due("week"), set())
        self.assertNotIn(next_monday.code, self.both("due=week"))

    def test_around_the_30_april_and_1_may_holidays(self):
        wednesday = self.make(due=at(2026, 4, 29, 16))
        after_holidays = self.make(due=at(2026, 5, 4, 9))  # Monday, the next working day
        with time_machine.travel(at(2026, 4, 29, 10), tick=False):
            self.assertEqual(self.due("today"), {wednesday.code})
            self.assertEqual(self.due("week"), {wednesday.code})
            self.assertEqual(self.due("overdue"), set())
        with time_machine.travel(at(2026, 4, 30, 10), tick=False):  # a public holiday
            self.assertEqual(self.due("overdue"), {wednesday.code})
            self.assertEqual(self.due("today"), set())
            self.assertEqual(self.due("week"), set())
        with time_machine.travel(at(2026, 5, 4, 7), tick=False):
            self.assertEqual(self.due("today"), {after_holidays.code})

    def test_a_closed_dossier_is_never_overdue(self):
        self.make(Status.DECIDED, at(2026, 3, 3))
        with time_machine.travel(at(2026, 3, 4, 10), tick=False):
            self.assertEqual(self.due("overdue"), set())


class QueueSchemaTests(QueueTestCase):
    def test_the_filters_are_documented_in_the_openapi_schema(self):
        schema = self.client.get("/api/schema/?format=json").json()
        operation = schema["paths"]["/api/v1/dossiers/queue"]["get"]
        parameters = {p["name"]: p for p in operation["parameters"]}
        for name in ("procedure", "status", "step", "unit", "due", "loc", "page"):
            self.assertIn(name, parameters)
            self.assertTrue(parameters[name].get("description"), name)
        self.assertEqual(parameters["due"]["schema"]["enum"], ["overdue", "today", "week"])
        self.assertEqual(parameters["procedure"]["schema"]["type"], "integer")
        self.assertIn("400", operation["responses"])


class SharedPaginationTests(QueueTestCase):
    def test_the_shared_page_links_keep_every_parameter(self):
        """core/pagination.html (petition queue, articles, search, glossary, this queue) kept
        only `q`: the petition queue's `status` was lost on page 2."""
        from django.core.paginator import Paginator
        from django.template.loader import render_to_string
        from django.test import RequestFactory

        request = RequestFactory().get(
            "/pakn/xu-ly/", {"status": "received", "q": "đất", "page": 2}
        )
        html = render_to_string(
            "core/pagination.html",
            {"page": Paginator(range(90), 30).page(2), "query": "đất"},
            request=request,
        )
        self.assertIn('href="?status=received&amp;q=%C4%91%E1%BA%A5t&amp;page=1"', html)
        self.assertIn('href="?status=received&amp;q=%C4%91%E1%BA%A5t&amp;page=3"', html)
