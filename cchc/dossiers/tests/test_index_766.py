"""The Decision 766 index: six groups read from a versioned data file, each component counted
from the dossiers, fee lines, ratings, files and the national-portal outbox."""

import datetime as dt
import io
import textwrap
from decimal import Decimal

import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import TestCase, override_settings

from cchc.core.models import Agency
from cchc.dossiers import services, statistics
from cchc.dossiers.models import (
    Channel,
    Dossier,
    DossierFile,
    FeeLine,
    PaidOnline,
    Rating,
    Status,
)
from cchc.dossiers.tests.helpers import APPLICANT, DeskTestCase, at, make_procedure, pdf_upload
from cchc.nationalportal.models import OutboxMessage
from cchc.procedures.models import LegalBasis, ProcedureStep

JANUARY = (dt.date(2026, 1, 1), dt.date(2026, 1, 31))


def components(groups) -> dict:
    return {c["key"]: c for g in groups for c in g["components"]}


def figures(component) -> tuple:
    return component["numerator"], component["denominator"], component["points"]


class Index766Tests(DeskTestCase):
    """Three dossiers received in January 2026 (d1 paper with a scan, d2 paper without, d3
    online), d1 and d2 decided, and one dossier of another agency that must not count."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        published = make_procedure(steps=[("Thẩm định", "3", cls.unit_a)])
        published.fee_kind = published.FeeKind.FREE
        published.save(update_fields=["fee_kind"])
        LegalBasis.objects.create(procedure=published, title="Luật Chuyển giao công nghệ 2017")

    def setUp(self):
        component = self.procedure.components.get()
        self.d1, _ = services.dossier_receive_paper(
            actor=self.desk,
            procedure=self.procedure,
            applicant=APPLICANT,
            files={f"component_{component.pk}": pdf_upload("scan.pdf")},
            at=at(2026, 1, 5, 9),
        )
        self.decide(self.d1, at(2026, 1, 7, 9), result_file=pdf_upload("kq.pdf"))  # early
        self.d2, _ = services.dossier_receive_paper(
            actor=self.desk, procedure=self.procedure, applicant=APPLICANT, at=at(2026, 1, 6, 9)
        )
        self.decide(self.d2, at(2026, 1, 20, 9))  # late, no result file
        self.d3, _ = self.file_online(at(2026, 1, 12, 8))
        services.dossier_accept(actor=self.desk, dossier=self.d3, at=at(2026, 1, 12, 9))
        DossierFile.objects.filter(dossier=self.d3).update(reuse=1)
        self.foreign = Dossier.objects.create(
            code="OTHER-1",
            agency=self.other_agency,
            procedure=self.procedure,
            channel=Channel.ONLINE,
            status=Status.RECEIVED,
            applicant_name="X",
            applicant_id_number="001203004567",
            applicant_phone="0912345678",
            applicant_address="Khác",
            submitted_at=at(2026, 1, 8, 9),
            received_at=at(2026, 1, 8, 9),
            paid_online=PaidOnline.NATIONAL,
        )

    def outbox(self, dossier, *, sent_after=None, state=OutboxMessage.State.SENT):
        dossier.refresh_from_db()
        return OutboxMessage.objects.create(
            agency=dossier.agency,
            dossier=dossier,
            service="DongBoHoSoMC",
            event="receive",
            state=state,
            created_at=dossier.received_at,
            sent_at=dossier.received_at + sent_after if sent_after is not None else None,
        )

    def fee(self, dossier, amount, paid_online=PaidOnline.NOT_ONLINE):
        return FeeLine.objects.create(
            dossier=dossier, name="Lệ phí", amount=Decimal(amount), paid_online=paid_online
        )

    def rate(self, dossier, level, when):
        return Rating.objects.create(dossier=dossier, level=level, rated_at=when)

    def test_the_six_groups_come_from_the_data_file_with_their_formulas(self):
        groups = statistics.index_766(self.agency, *JANUARY)
        self.assertEqual(
            [g["name"] for g in groups],
            [
                "Công khai, minh bạch",
                "Tiến độ giải quyết",
                "Dịch vụ công trực tuyến",
                "Thanh toán trực tuyến",
                "Mức độ hài lòng",
                "Số hóa hồ sơ",
            ],
        )
        self.assertEqual([g["max"] for g in groups], [18, 20, 12, 10, 18, 22])
        for group in groups:  # the components' points add up to the group's weight
            self.assertEqual(sum(c["max"] for c in group["components"]), group["max"])
            for c in group["components"]:
                self.assertIn("/", c["formula"])

    def test_transparency_counts_full_procedures_and_dossiers_synced_within_a_day(self):
        self.outbox(self.d1, sent_after=dt.timedelta(hours=2))
        self.outbox(self.d2, sent_after=dt.timedelta(hours=30))  # late
        self.outbox(self.d3, state=OutboxMessage.State.FAILED)
        self.outbox(self.foreign, sent_after=dt.timedelta(minutes=5))
        c = components(statistics.index_766(self.agency, *JANUARY))
        # The desk's procedure has no fee rule and no legal basis; the other one has all.
        self.assertEqual(figures(c["procedures_published"]), (1, 2, 4.5))
        self.assertEqual(figures(c["dossiers_synced"]), (1, 3, 3.0))

    def test_a_procedure_without_steps_is_not_fully_published(self):
        published = ProcedureStep.objects.exclude(procedure=self.procedure).get().procedure
        published.steps.all().delete()
        c = components(statistics.index_766(self.agency, *JANUARY))
        self.assertEqual(figures(c["procedures_published"]), (0, 2, 0.0))

    def test_progress_and_online_service(self):
        c = components(statistics.index_766(self.agency, *JANUARY))
        self.assertEqual(figures(c["on_time"]), (1, 2, 7.0))
        # Five working days: due 12/01 and 13/01 at 09:00, seven calendar days each; taken
        # 05/01 -> 07/01 and 06/01 -> 20/01: 2 + 14 days. 14 / 16 of the 6 points.
        self.assertEqual(figures(c["duration"]), (14.0, 16.0, 5.25))
        self.assertEqual(figures(c["online_share"]), (1, 3, 2.0))
        self.assertEqual(figures(c["full_online_share"]), (0, 3, 0.0))

    def test_online_payment_counts_dossiers_with_fees_paid_online(self):
        self.fee(self.d1, 50000, PaidOnline.NATIONAL)
        self.fee(self.d2, 0, PaidOnline.NATIONAL)  # nothing due: not a dossier with fees
        self.fee(self.d2, 20000)
        self.fee(self.d3, 100000)
        Dossier.objects.filter(pk=self.d3.pk).update(paid_online=PaidOnline.GATEWAY)
        self.fee(self.foreign, 10000, PaidOnline.NATIONAL)
        c = components(statistics.index_766(self.agency, *JANUARY))
        self.assertEqual(figures(c["paid_online"]), (2, 3, round(10 * 2 / 3, 2)))

    def test_satisfaction_counts_the_ratings_of_the_period(self):
        self.rate(self.d1, Rating.Level.VERY_SATISFIED, at(2026, 1, 10, 9))
        self.rate(self.d2, Rating.Level.NOT_SATISFIED, at(2026, 1, 21, 9))
        self.rate(self.d3, Rating.Level.SATISFIED, at(2026, 1, 25, 9))
        self.rate(self.foreign, Rating.Level.NOT_SATISFIED, at(2026, 1, 25, 9))
        c = components(statistics.index_766(self.agency, *JANUARY))
        self.assertEqual(figures(c["satisfied"]), (2, 3, 12.0))
        february = components(
            statistics.index_766(self.agency, dt.date(2026, 2, 1), dt.date(2026, 2, 28))
        )
        self.assertEqual(figures(february["satisfied"]), (0, 0, None))

    def test_digitisation_counts_stored_scans_e_results_and_reuse(self):
        # d1 has a desk scan, d3 its online files (electronic); d2 was only received on paper.
        c = components(statistics.index_766(self.agency, *JANUARY))
        self.assertEqual(figures(c["digitised"]), (2, 3, round(8 * 2 / 3, 2)))
        self.assertEqual(figures(c["e_results"]), (1, 2, 4.0))
        # One dossier of three reuses a component, against a target of one half.
        self.assertEqual(figures(c["reuse"]), (1, 3, 4.0))

    def test_no_data_is_shown_only_for_a_component_whose_denominator_is_empty(self):
        # 12/01: d3 received, nothing decided.
        day = dt.date(2026, 1, 12)
        c = components(statistics.index_766(self.agency, day, day))
        empty = {key for key, comp in c.items() if comp["points"] is None}
        self.assertEqual(empty, {"on_time", "duration", "e_results", "paid_online", "satisfied"})
        self.assertEqual(figures(c["online_share"]), (1, 1, 6.0))
        self.login_as("agency_leader")
        page = self.client.get("/ho-so/thong-ke/", {"tu": "2026-01-12", "den": "2026-01-12"})
        self.assertContains(page, "không có dữ liệu", count=5)
        self.assertContains(page, "Số hồ sơ nộp trực tuyến / tổng số hồ sơ tiếp nhận")

    def test_the_page_shows_each_formula_beside_its_figure(self):
        self.login_as("agency_leader")
        page = self.client.get("/ho-so/thong-ke/", {"tu": "2026-01-01", "den": "2026-01-31"})
        self.assertContains(
            page,
            "<tr><td>Hồ sơ giải quyết đúng hạn</td>"
            "<td>Số hồ sơ xử lý trước và đúng hạn / tổng số hồ sơ đã xử lý</td>"
            "<td>1</td><td>2</td><td>50%</td><td>7,0/14</td></tr>",
            html=True,
        )
        body = self.client.get(
            "/api/v1/dossiers/statistics", {"start": "2026-01-01", "end": "2026-01-31"}
        ).json()
        self.assertEqual(len(body["index_766"]), 6)
        self.assertEqual(body["index_766_message"], "")
        self.assertContains(page, "Quyết định 766/QĐ-TTg ngày 23/6/2022")

    def test_the_page_and_api_are_for_agency_wide_staff_only(self):
        self.make_other_agency_personas()
        for persona in ("outsider", "officer_a", "citizen", "anonymous"):
            self.login_as(persona)
            self.assertIn(self.client.get("/ho-so/thong-ke/").status_code, (302, 403, 404))
            self.assertIn(
                self.client.get("/api/v1/dossiers/statistics").status_code, (401, 403, 404)
            )
        # The other agency's leader sees the index of that agency only: its one online dossier.
        self.login_as("outsider_chief")
        page = self.client.get("/ho-so/thong-ke/", {"tu": "2026-01-01", "den": "2026-01-31"})
        online = components(page.context["index"])["online_share"]
        self.assertEqual((online["numerator"], online["denominator"]), (1, 1))


TWO_VERSIONS = textwrap.dedent(
    """
    versions:
      - version: "old"
        title: "Bộ chỉ số cũ"
        valid_from: 2025-01-01
        valid_to: 2025-12-31
        groups:
          - key: progress
            name: "Tiến độ giải quyết"
            max: 40
            components:
              - key: on_time
                name: "Hồ sơ giải quyết đúng hạn"
                formula: "Đúng hạn / đã xử lý"
                numerator: dossiers_decided_on_time
                denominator: dossiers_decided
                max: 40
      - version: "new"
        title: "Bộ chỉ số mới"
        valid_from: 2026-01-01
        valid_to:
        groups:
          - key: progress
            name: "Tiến độ giải quyết"
            max: 20
            components:
              - key: on_time
                name: "Hồ sơ giải quyết đúng hạn"
                formula: "Đúng hạn / đã xử lý, mục tiêu 80%"
                numerator: dossiers_decided_on_time
                denominator: dossiers_decided
                max: 20
                target: 0.8
    """
)


class Index766VersionTests(DeskTestCase):
    def setUp(self):
        early = services.dossier_receive_paper(
            actor=self.desk, procedure=self.procedure, applicant=APPLICANT, at=at(2025, 12, 1, 9)
        )[0]
        self.decide(early, at(2025, 12, 3, 9))
        late = services.dossier_receive_paper(
            actor=self.desk, procedure=self.procedure, applicant=APPLICANT, at=at(2025, 12, 2, 9)
        )[0]
        self.decide(late, at(2025, 12, 30, 9))

    def write(self, tmp, text):
        path = tmp / "index-766.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    def test_the_version_valid_at_the_end_of_the_period_is_used(self):
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as tmp:
            path = self.write(Path(tmp), TWO_VERSIONS)
            december = statistics.index_766(
                self.agency, dt.date(2025, 12, 1), dt.date(2025, 12, 31), source=path
            )
            self.assertEqual(december[0]["version"], "old")
            self.assertEqual(figures(december[0]["components"][0]), (1, 2, 20.0))
            # Same dossiers, the period ends in 2026: the new weights and target apply.
            across = statistics.index_766(
                self.agency, dt.date(2025, 12, 1), dt.date(2026, 1, 31), source=path
            )
            self.assertEqual(across[0]["version"], "new")
            self.assertEqual(figures(across[0]["components"][0]), (1, 2, 12.5))
            with self.assertRaisesMessage(
                statistics.IndexVersionMissing, "có hiệu lực vào ngày 30/06/2024"
            ):
                statistics.index_766(
                    self.agency, dt.date(2024, 1, 1), dt.date(2024, 6, 30), source=path
                )
            with override_settings(INDEX_766_FILE=path):
                self.login_as("agency_leader")
                page = self.client.get(
                    "/ho-so/thong-ke/", {"tu": "2024-01-01", "den": "2024-06-30"}
                )
                self.assertContains(page, "Chưa có bộ chỉ số Quyết định 766 có hiệu lực")
                body = self.client.get(
                    "/api/v1/dossiers/statistics", {"start": "2024-01-01", "end": "2024-06-30"}
                ).json()
                self.assertEqual(body["index_766"], [])
                self.assertIn("30/06/2024", body["index_766_message"])

    def test_a_data_file_that_does_not_fit_is_refused_naming_the_problem(self):
        import tempfile
        from pathlib import Path

        broken = {
            "made_up": TWO_VERSIONS.replace("dossiers_decided_on_time", "made_up", 1),
            "valid_from is not a date": TWO_VERSIONS.replace("2026-01-01", "mùng một Tết", 1),
            "max": TWO_VERSIONS.replace("max: 40", "maximum: 40", 1),
        }
        with tempfile.TemporaryDirectory() as tmp:
            for problem, text in broken.items():
                with self.subTest(problem):
                    path = self.write(Path(tmp), text)
                    with self.assertRaisesMessage(ImproperlyConfigured, problem):
                        statistics.index_766(self.agency, *JANUARY, source=path)

    def test_the_shipped_data_file_has_one_version_for_every_day_since_2022(self):
        versions = statistics.index_766_versions()
        days = sorted((v["valid_from"], v["valid_to"] or statistics.LATEST) for v in versions)
        self.assertEqual(days[0][0], dt.date(2022, 6, 23))
        for (_start, end), (next_start, _end) in zip(days, days[1:], strict=False):
            self.assertEqual(next_start, end + dt.timedelta(days=1))  # no gap, no overlap
        self.assertEqual(days[-1][1], statistics.LATEST)


class Index766DemoTests(TestCase):
    @time_machine.travel(dt.datetime(2026, 3, 9, 8, 0, tzinfo=dt.UTC), tick=False)
    def test_the_demo_has_figures_in_every_component_of_every_group(self):
        call_command("load_demo", "--quiet-accounts", stdout=io.StringIO())
        agency = Agency.objects.get(code="SKHCN")
        groups = statistics.index_766(agency, dt.date(2026, 1, 1), dt.date(2026, 3, 8))
        self.assertEqual(len(groups), 6)
        missing = [
            (g["name"], c["name"])
            for g in groups
            for c in g["components"]
            if c["points"] is None or c["numerator"] == 0
        ]
        self.assertEqual(missing, [])
