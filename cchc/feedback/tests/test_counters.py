import datetime as dt

from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from cchc.core import registry
from cchc.core.roles import Role
from cchc.core.testing import PersonaTestCase, make_user
from cchc.feedback import services
from cchc.feedback.models import Petition


@override_settings(SITE_AGENCY_CODE="TEST")
class CounterTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.handler = make_user("handler", cls.leadership, [Role.PETITION_HANDLER])

    def setUp(self):
        cache.clear()
        make = lambda: services.petition_submit(  # noqa: E731
            agency=self.agency, sender_name="A", sender_phone="1", subject="S", content="C",
            consent_to_publish=True,
        )  # fmt: skip
        self.received = make()
        self.accepted = services.petition_accept(actor=self.handler, petition=make())
        self.refused = services.petition_refuse(actor=self.handler, petition=make(), reason="R")
        self.forwarded = services.petition_forward(actor=self.handler, petition=make(), to="X")
        answered = services.petition_accept(actor=self.handler, petition=make())
        self.answered = services.petition_answer(actor=self.handler, petition=answered, answer="A")
        late = services.petition_accept(actor=self.handler, petition=make())
        Petition.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(days=1))
        late.refresh_from_db()
        self.late = services.petition_answer(actor=self.handler, petition=late, answer="A")
        services.petition_publish(actor=self.handler, petition=self.late)

    def test_home_page_counters_follow_the_statuses(self):
        response = self.client.get("/")
        counters = response.context["counters"]
        self.assertEqual(
            (counters["answered"], counters["in_process"], counters["refused"]), (2, 2, 1)
        )
        self.assertContains(response, "/pakn/cach-tinh/")
        self.assertContains(self.client.get("/pakn/cach-tinh/"), "không tính vào ba số trên")

    def test_summary_figure_and_par_metrics(self):
        today = timezone.localdate()
        summary = registry.figures["feedback.summary"].compute(self.agency, today, today)
        self.assertEqual(summary["received"], 6)
        self.assertEqual(summary["forwarded"], 1)
        self.assertEqual(summary["on_time_rate"], 0.5)
        on_time = registry.metrics["feedback.on_time_rate"].compute(
            registry.Scope(self.agency, today, today)
        )
        answered = registry.metrics["feedback.answered_rate"].compute(
            registry.Scope(self.agency, today, today)
        )
        self.assertEqual(on_time, 0.5)
        self.assertEqual(answered, 2 / 4)  # refused and forwarded are outside the base
        last_year = today - dt.timedelta(days=365)
        self.assertIsNone(
            registry.figures["feedback.summary"].compute(self.agency, last_year, last_year)
        )
        self.assertIsNone(
            registry.metrics["feedback.on_time_rate"].compute(
                registry.Scope(self.other_agency, today, today)
            )
        )

    def test_published_answers_are_searchable_and_others_are_not(self):
        Petition.objects.filter(pk=self.late.pk).update(subject="Phí thẩm định công nghệ")
        services.petition_submit(
            agency=self.agency, sender_name="A", sender_phone="1",
            subject="Phí thẩm định chưa công khai", content="C",
        )  # fmt: skip
        Petition.objects.update(search_title=" phi tham dinh cong nghe ")
        response = self.client.get("/pakn/tra-loi/", {"q": "phi tham dinh"})
        self.assertEqual([p.code for p in response.context["page"].object_list], [self.late.code])
        results = registry.search_sources["feedback.answers"].search("phi tham dinh", 10)
        self.assertEqual([r["url"] for r in results], [f"/pakn/tra-loi/{self.late.code}/"])

    def test_unknown_page_numbers_and_long_queries_on_the_answers_page(self):
        for page in ("abc", "0", "99"):
            response = self.client.get("/pakn/tra-loi/", {"page": page})
            self.assertEqual(response.status_code, 404, page)
        response = self.client.get("/pakn/tra-loi/", {"q": "x" * 1000})
        self.assertContains(response, "Từ khóa quá dài", status_code=400)  # as the search page
        self.assertNotContains(response, "x" * 201, status_code=400)
