"""Shared set-up for the PAR Index tests: a small framework and the sample one."""

import textwrap
from decimal import Decimal

from cchc.core.roles import Role
from cchc.core.testing import PersonaTestCase, make_user
from cchc.parindex.demo import SAMPLE
from cchc.parindex.importer import parse_framework
from cchc.parindex.models import Assessment, Score
from cchc.parindex.services import framework_import, period_create

SMALL_YAML = textwrap.dedent(
    """
    code: TEST
    name: Bộ tiêu chí thử
    year: 2025
    level: custom
    scale: 10
    survey_points: 2
    self_assessment_points: 8
    totals: {fields: 2, criteria: 4, components: 3}
    nodes:
      - code: "1"
        name: Lĩnh vực một
        children:
          - code: "1.1"
            name: Tiêu chí có thành phần
            children:
              - {code: "1.1.1", name: Thành phần chấm tay, max: 2, rule: {kind: manual, step: 0.25}}
              - code: "1.1.2"
                name: Thành phần chọn mức
                max: 2
                rule: {kind: choice, levels: [{label: Đạt, points: 2}, {label: Một phần, points: 1}, {label: Không, points: 0}]}
          - {code: "1.2", name: Tiêu chí tỷ lệ, max: 2, rule: {kind: ratio, target: 80}}
      - code: "2"
        name: Lĩnh vực hai
        children:
          - code: "2.1"
            name: Tiêu chí hai
            children:
              - {code: "2.1.1", name: Thành phần hai, max: 2, rule: {kind: manual}}
          - {code: "2.2", name: Điều tra XHH, max: 2, rule: {kind: survey}}
    """
)


def small_framework(**overrides):
    spec = parse_framework("small.yaml", SMALL_YAML.encode())
    spec.meta.update(overrides)
    assert spec.valid, spec.problems
    return framework_import(spec=spec)


def sample_framework():
    return framework_import(spec=parse_framework(SAMPLE.name, SAMPLE.read_bytes()))


class ParTestCase(PersonaTestCase):
    """Personas + a period over units A and B with the small framework; `appraiser` sits on it."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.appraiser = make_user("appraiser", cls.leadership, [Role.APPRAISER])
        cls.appraiser2 = make_user("appraiser2", cls.leadership, [Role.APPRAISER])
        cls.focal = make_user("focal", cls.leadership, [Role.REFORM_FOCAL_POINT])
        cls.framework = small_framework()
        cls.period = period_create(
            agency=cls.agency,
            framework=cls.framework,
            year=2025,
            name="Kỳ 2025",
            units=[cls.unit_a, cls.unit_b],
            appraisers=[cls.appraiser, cls.appraiser2],
        )
        cls.assessment_a = cls.period.assessments.get(unit=cls.unit_a)
        cls.assessment_b = cls.period.assessments.get(unit=cls.unit_b)

    def score(self, assessment, code) -> Score:
        return Score.objects.select_related("node").get(assessment=assessment, node__code=code)

    def set_points(self, assessment, mapping, column="final_points"):
        for code, value in mapping.items():
            Score.objects.filter(assessment=assessment, node__code=code).update(
                **{column: Decimal(str(value))}
            )

    def set_status(self, assessment, status):
        Assessment.objects.filter(pk=assessment.pk).update(status=status)
        assessment.refresh_from_db()
