"""The database checks of the load and fault test find what they look for (bench/load_fault.py
`db_check`, run here in-process on a small hand-made state, then on tampered copies of it)."""

import json

from cchc.core.models import AuditEntry
from cchc.dossiers.models import DayCounter, Dossier, DossierFile
from cchc.dossiers.services import Applicant, dossier_file_online
from cchc.dossiers.tests.helpers import DeskTestCase, pdf_upload
from cchc.portal.tests import factories as f


class LoadChecksTests(DeskTestCase):
    def setUp(self):
        from django.utils import timezone

        self.since = timezone.now()
        self.article = f.article(f.category(), "Bài được xem")
        self.acked = [(token, self.file(token).code) for token in ("aaa", "bbb")]

    def file(self, token):
        component = self.procedure.components.first()
        applicant = Applicant(
            kind="person",
            name="Người nộp thử tải",
            id_number="001203004567",
            phone="0912345678",
            address=f"Phú Thọ [load:{token}]",
        )
        dossier, _secret = dossier_file_online(
            procedure=self.procedure,
            applicant=applicant,
            files={f"component_{component.pk}": pdf_upload()},
            agency=self.agency,
        )
        return dossier

    def results(self, tmp_dir, acked=None, views=0):
        from bench.load_fault import db_check

        io = tmp_dir / "check.json"
        io.write_text(
            json.dumps(
                {
                    "since": self.since.isoformat(),
                    "acked": acked if acked is not None else self.acked,
                    "unacked": [],
                    "baseline": {self.article.slug: 0},
                    "views_acked_pairs": {self.article.slug: views} if views else {},
                    "views_tried_pairs": {self.article.slug: views} if views else {},
                }
            )
        )
        db_check(str(io))
        return {
            name: (passed, detail) for name, passed, detail in json.loads(io.read_text())["checks"]
        }

    def failing(self, tmp_dir, **kwargs) -> set[str]:
        found = self.results(tmp_dir, **kwargs)
        # The mail tasks go through the immediate backend in tests: no queue rows to check.
        found.pop("background tasks all run, across the worker restart")
        return {
            name.split(" ")[0] + " " + name.split(" ")[1]
            for name, (ok, _) in found.items()
            if not ok
        }

    def test_a_clean_run_passes_and_each_kind_of_damage_is_found(self):
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            self.assertEqual(self.failing(tmp), set())
            # An acknowledged filing that is not there.
            self.assertEqual(
                self.failing(tmp, acked=[*self.acked, ("zzz", "X-1")]), {"every acknowledged"}
            )
            # Views answered but not counted.
            self.assertEqual(self.failing(tmp, views=3), {"article view"})
            # A hand-over line without its audit entry.
            entry = AuditEntry.objects.filter(action="dossier.file_online").first()
            entry.delete()
            self.assertEqual(self.failing(tmp), {"every hand-over"})
            entry.save()
            # A component row lost.
            DossierFile.objects.filter(dossier__code=self.acked[0][1]).delete()
            self.assertEqual(self.failing(tmp), {"no dossier"})
            # A gap in the codes of the day.
            DayCounter.objects.update(last=3)
            self.assertIn("dossier codes", self.failing(tmp))
            # The same filing twice.
            self.file("aaa")
            self.assertIn("every acknowledged", self.failing(tmp))
            self.assertEqual(Dossier.objects.filter(applicant_address__contains="aaa").count(), 2)
