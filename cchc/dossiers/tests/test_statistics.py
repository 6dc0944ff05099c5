import datetime as dt

import time_machine

from cchc.core import registry
from cchc.dossiers import services, statistics
from cchc.dossiers.tests.helpers import APPLICANT, DeskTestCase, at


class StatisticsTests(DeskTestCase):
    def setUp(self):
        def paper(when):
            return services.dossier_receive_paper(
                actor=self.desk, procedure=self.procedure, applicant=APPLICANT, at=when
            )[0]

        self.carried = paper(at(2025, 12, 29, 9))  # due 06/01/2026 (1/1 is a holiday), decided late
        self.decide(self.carried, at(2026, 1, 8, 9))
        early = paper(at(2026, 1, 5, 9))
        self.decide(early, at(2026, 1, 7, 9))
        self.online, _ = self.file_online(at(2026, 1, 12, 8))
        services.dossier_accept(
            actor=self.desk, dossier=self.online, at=at(2026, 1, 12, 9)
        )  # open, due 19/01
        paper(at(2026, 1, 20, 9))  # open, due 27/01: overdue at the end of January

    @time_machine.travel(at(2026, 3, 1, 9), tick=False)
    def test_the_summary_counts_each_dossier_once_in_the_right_box(self):
        data = statistics.summary(self.agency, dt.date(2026, 1, 1), dt.date(2026, 1, 31))
        self.assertEqual(data["carried_over"], 1)
        self.assertEqual(data["received"], 3)
        self.assertEqual(
            (data["processed_early"], data["processed_on_time"], data["processed_late"]), (1, 0, 1)
        )
        self.assertEqual((data["in_process_on_time"], data["in_process_overdue"]), (0, 2))
        self.assertEqual(data["on_time_rate"], 0.5)
        self.assertEqual(data["online_share"], round(1 / 3, 4))

    def test_the_registered_metrics_and_figure(self):
        start, end = dt.date(2026, 1, 1), dt.date(2026, 1, 31)
        self.assertEqual(
            registry.metrics["dossiers.on_time_rate"].compute(
                registry.Scope(self.agency, start, end)
            ),
            0.5,
        )
        self.assertEqual(
            registry.metrics["dossiers.online_rate"].compute(
                registry.Scope(self.agency, start, end)
            ),
            round(1 / 3, 4),
        )
        self.assertIsNotNone(registry.metrics["dossiers.digitised_rate"])
        figure = registry.figures["dossiers.summary"].compute(self.agency, start, end)
        self.assertEqual(
            figure["by_month"], [{"month": "2026-01", "received": 3, "on_time_rate": 0.5}]
        )
        self.assertIsNone(
            registry.figures["dossiers.summary"].compute(
                self.agency, dt.date(2024, 1, 1), dt.date(2024, 12, 31)
            )
        )
        self.assertIsNone(
            registry.metrics["dossiers.on_time_rate"].compute(
                registry.Scope(self.other_agency, start, end)
            )
        )

    def test_the_766_index_shows_formulas_and_missing_groups(self):
        groups = statistics.index_766(self.agency, dt.date(2026, 1, 1), dt.date(2026, 1, 31))
        self.assertEqual([g["max"] for g in groups], [18, 20, 12, 10, 18, 22])
        timeliness = groups[1]["components"][0]
        self.assertEqual(
            (timeliness["numerator"], timeliness["denominator"], timeliness["points"]), (1, 2, 7.0)
        )
        payment = groups[3]["components"][0]  # no fee lines: no data for this component only
        self.assertEqual((payment["denominator"], payment["points"]), (0, None))

    def test_the_api_gives_the_statistics_to_agency_wide_staff_only(self):
        self.login_as("agency_leader")
        body = self.client.get(
            "/api/v1/dossiers/statistics", {"start": "2026-01-01", "end": "2026-01-31"}
        ).json()
        self.assertEqual(body["summary"]["received"], 3)
        self.assertEqual(
            self.client.get("/api/v1/dossiers/statistics", {"start": "x"}).status_code, 400
        )
        self.login_as("citizen")
        self.assertEqual(self.client.get("/api/v1/dossiers/statistics").status_code, 404)

    def test_the_monthly_figures_kept_by_the_services_match_a_rebuild(self):
        from cchc.dossiers.models import MonthlyFigure
        from cchc.dossiers.services import rebuild_monthly_figures

        def snapshot():
            return sorted(
                MonthlyFigure.objects.filter(agency=self.agency).values_list(
                    "procedure_id", "month", "received", "decided", "early", "on_time", "late"
                )
            )

        kept = snapshot()
        self.assertEqual(sum(row[2] for row in kept), 4)
        self.assertEqual(sum(row[6] for row in kept), 1)
        rebuild_monthly_figures(agency=self.agency)
        self.assertEqual(snapshot(), kept)
        rows = statistics.by_procedure_and_month(
            self.agency, dt.date(2026, 1, 1), dt.date(2026, 12, 31)
        )
        self.assertEqual(
            [(r["month"], r["received"], r["decided"]) for r in rows], [(dt.date(2026, 1, 1), 3, 2)]
        )

    def test_average_time_and_fees_through_the_api(self):
        data = statistics.summary(self.agency, dt.date(2026, 1, 1), dt.date(2026, 1, 31))
        # 29/12 09:00 -> 08/01 09:00 and 05/01 09:00 -> 07/01 09:00: 10 and 2 days.
        self.assertEqual(data["average_days"], 6.0)
        # Fees are asked for at the step of unit A, by its officer.
        services.dossier_hand_over(actor=self.desk, dossier=self.online)
        self.login_as("officer_a")
        url = f"/api/v1/dossiers/{self.online.code}/require-fees"
        self.assertEqual(self.client.post(url, {}).status_code, 400)
        self.assertEqual(self.client.post(url, {"amount": "500000"}).json()["status"], 6)
        self.assertEqual(
            self.client.post(f"/api/v1/dossiers/{self.online.code}/fees-paid").json()["status"], 4
        )

    def test_the_page_filters_the_summary_by_unit(self):
        services.dossier_hand_over(actor=self.desk, dossier=self.online)  # now at unit A
        self.login_as("agency_leader")
        page = self.client.get(
            "/ho-so/thong-ke/", {"tu": "2026-01-01", "den": "2026-01-31", "don_vi": self.unit_a.pk}
        )
        self.assertContains(
            page, '<tr><th scope="row">Tiếp nhận mới</th><td>1</td></tr>', html=True
        )
        page = self.client.get(
            "/ho-so/thong-ke/", {"tu": "2026-01-01", "den": "2026-01-31", "don_vi": self.unit_b.pk}
        )
        self.assertContains(page, "không có dữ liệu")

    def test_an_out_of_range_period_is_refused_with_a_message(self):
        self.login_as("agency_leader")
        for start, end in (("0001-01-01", "2026-01-31"), ("2026-01-01", "9999-12-31")):
            response = self.client.get("/api/v1/dossiers/statistics", {"start": start, "end": end})
            self.assertEqual(response.status_code, 400)
            self.assertIn("2000-2099", response.json()["errors"][0]["message"])
            for url in ("/ho-so/thong-ke/", "/ho-so/thong-ke/excel/", "/ho-so/so-theo-doi/"):
                page = self.client.get(url, {"tu": start, "den": end})
                self.assertContains(page, "2000-2099", status_code=400)

    def test_a_reversed_period_is_refused_with_the_field_and_a_message(self):
        self.login_as("agency_leader")
        response = self.client.get(
            "/api/v1/dossiers/statistics", {"start": "2026-01-31", "end": "2026-01-01"}
        )
        self.assertEqual(response.status_code, 400)
        (error,) = response.json()["errors"]
        self.assertEqual(error["field"], "end")
        self.assertIn("không được trước ngày bắt đầu", error["message"])
        for url in ("/ho-so/thong-ke/", "/ho-so/thong-ke/excel/", "/ho-so/so-theo-doi/"):
            page = self.client.get(url, {"tu": "2026-01-31", "den": "2026-01-01"})
            self.assertContains(page, "không được trước ngày bắt đầu", status_code=400)

    @time_machine.travel(at(2026, 1, 21, 10), tick=False)
    def test_an_open_dossier_is_overdue_only_once_its_due_time_has_passed(self):
        # The period ends in the future: the dossier due 19/01 is overdue now, the one due
        # 27/01 is not (yet); the end of the period is not "now".
        data = statistics.summary(self.agency, dt.date(2026, 1, 1), dt.date(2026, 1, 31))
        self.assertEqual((data["in_process_on_time"], data["in_process_overdue"]), (1, 1))
        self.login_as("agency_leader")
        body = self.client.get(
            "/api/v1/dossiers/statistics", {"start": "2026-01-01", "end": "2026-01-31"}
        ).json()
        self.assertEqual(body["summary"]["in_process_overdue"], 1)
        page = self.client.get("/ho-so/thong-ke/", {"tu": "2026-01-01", "den": "2026-01-31"})
        self.assertEqual(page.context["summary"]["in_process_overdue"], 1)

    def test_counts_of_thousands_are_grouped_on_the_page(self):
        from cchc.dossiers.models import Channel, Dossier, Status

        moment = at(2026, 2, 3, 9)
        Dossier.objects.bulk_create(
            Dossier(
                code=f"BULK-{i:05d}",
                agency=self.agency,
                procedure=self.procedure,
                channel=Channel.IN_PERSON,
                status=Status.RECEIVED,
                applicant_name="X",
                applicant_id_number="001203004567",
                applicant_phone="0912345678",
                applicant_address="Phú Thọ",
                submitted_at=moment,
                received_at=moment,
                due_at=at(2026, 2, 10, 9),
            )
            for i in range(1234)
        )
        self.login_as("agency_leader")
        page = self.client.get("/ho-so/thong-ke/", {"tu": "2026-02-01", "den": "2026-02-28"})
        self.assertContains(
            page, '<tr><th scope="row">Tiếp nhận mới</th><td>1.234</td></tr>', html=True
        )
