"""The reference data ships inside the repository; CCHC_REFERENCE_DATA only overrides it.

The counts are pinned: a changed file fails here until its new counts are checked and written.
"""

import tempfile
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import TestCase, override_settings

from cchc.core import demo as core_demo
from cchc.core.models import Abbreviation
from cchc.core.services import abbreviations_load_csv
from cchc.parindex.demo import MINISTRY_FRAMEWORK, SAMPLE
from cchc.parindex.importer import parse_framework
from cchc.procedures.demo import CATALOGUE
from cchc.procedures.models import Procedure
from cchc.procedures.services import procedures_import

REPOSITORY = Path(settings.BASE_DIR).resolve()
SHIPPED = [core_demo.ABBREVIATIONS, CATALOGUE, MINISTRY_FRAMEWORK, SAMPLE]


class ShippedFilesTests(TestCase):
    def test_every_reference_file_is_inside_the_repository(self):
        for path in SHIPPED:
            with self.subTest(path=path.name):
                self.assertTrue(path.is_file(), path)
                self.assertTrue(path.resolve().is_relative_to(REPOSITORY), path)

    def test_the_tests_read_no_reference_folder_outside_the_repository(self):
        self.assertIsNone(settings.REFERENCE_DATA_DIR)

    def test_the_glossary_has_its_30_abbreviations(self):
        self.assertEqual(abbreviations_load_csv(path=core_demo.ABBREVIATIONS), 30)
        self.assertEqual(
            Abbreviation.objects.get(abbreviation="TTHC").expansion, "Thủ tục hành chính"
        )

    def test_the_catalogue_imports_its_19_procedures_without_errors(self):
        report = procedures_import(path=CATALOGUE)
        self.assertEqual((report.created, report.errors), (19, []))
        self.assertTrue(Procedure.objects.filter(code="2.002248").exists())

    def test_the_ministry_file_has_the_official_counts(self):
        spec = yaml.safe_load(MINISTRY_FRAMEWORK.read_text(encoding="utf-8"))
        self.assertEqual(spec["totals"], {"fields": 7, "criteria": 38, "components": 97})
        self.assertEqual(len(spec["fields"]), 7)
        self.assertEqual(sum(f["criteria"] for f in spec["fields"]), 38)
        self.assertEqual(sum(f["components"] for f in spec["fields"]), 97)
        self.assertEqual(spec["survey_points"] + spec["self_assessment_points"], 100)

    def test_the_sample_framework_parses_with_the_same_counts(self):
        spec = parse_framework(SAMPLE.name, SAMPLE.read_bytes())
        self.assertEqual(spec.problems, [])
        levels = [0, 0, 0]

        def walk(nodes, depth):
            for node in nodes:
                levels[depth] += 1
                walk(node.get("children") or [], depth + 1)

        walk(yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))["nodes"], 0)
        self.assertEqual(levels, [7, 38, 97])


class OverrideTests(TestCase):
    def test_without_the_override_the_demo_reads_the_shipped_glossary(self):
        self.assertEqual(core_demo.reference_file(core_demo.ABBREVIATIONS), core_demo.ABBREVIATIONS)
        self.assertEqual(core_demo.load()["abbreviations"], 30)

    def test_an_override_folder_replaces_the_shipped_file(self):
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "abbreviations.csv").write_text(
                "abbreviation,expansion\nKHCN,Khoa học và công nghệ\n", encoding="utf-8"
            )
            with override_settings(REFERENCE_DATA_DIR=folder):
                self.assertEqual(core_demo.load()["abbreviations"], 1)

    def test_an_override_folder_without_the_file_is_refused_by_name(self):
        with (
            tempfile.TemporaryDirectory() as folder,
            override_settings(REFERENCE_DATA_DIR=folder),
            self.assertRaisesMessage(ImproperlyConfigured, "abbreviations.csv"),
        ):
            core_demo.reference_file(core_demo.ABBREVIATIONS)
