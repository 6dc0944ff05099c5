"""API fuzzing: schemathesis against the OpenAPI schema the running app serves (/api/schema/).

Every operation is fuzzed in-process (WSGI) as anonymous and as a staff persona signed in with
a token (the agency leader, who reaches the most code). Half of the examples aim the path
parameters at real objects of the persona's agency, so the handlers run past their 404s.

Required: no server error, and every response conforms to the schema (status code documented,
content type and body as declared). Each example runs in a savepoint that is rolled back, so
an example that deletes or changes a record cannot make a later example flaky.

Bounded: FUZZ_EXAMPLES examples per operation and persona (default 12), no deadline per
example, and the whole run stops itself at FUZZ_BUDGET_SECONDS (default 150).
"""

import datetime as dt
import logging
import os
import sys
import time

import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from cchc.core.models import Unit
from cchc.core.roles import Role
from cchc.core.testing import make_agency, make_user

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
BUDGET = float(os.environ.get("FUZZ_BUDGET_SECONDS", "150"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
STATS = {"operations": set(), "examples": 0}


def build_world():
    """One agency with a unit, a leader, a plan with a task, a PAR period, a dossier, a
    report, a petition and an article: the objects the path parameters can point at."""
    from cchc.dossiers.services import dossier_file_online
    from cchc.dossiers.tests.helpers import APPLICANT, at, make_procedure, pdf_upload
    from cchc.feedback import services as feedback
    from cchc.parindex.services import period_create
    from cchc.parindex.tests.helpers import small_framework
    from cchc.plans.tests.factories import d, make_plan, make_task
    from cchc.portal.tests import factories as portal
    from cchc.reports import services as reports

    agency = make_agency()
    office = Unit.objects.create(
        agency=agency, code="VP", name="Văn phòng", kind=Unit.Kind.LEADERSHIP
    )
    unit = Unit.objects.create(agency=agency, code="A", name="Phòng A")
    leader = make_user("fuzz_leader", office, [Role.AGENCY_LEADER, Role.ONE_STOP_OFFICER])
    make_user("fuzz_officer", unit, [Role.SPECIALIST])
    plan = make_plan(agency, 2024)
    task = make_task(plan, unit, deadline=d(2024, 3, 1))
    period = period_create(
        agency=agency,
        framework=small_framework(),
        year=2025,
        name="Kỳ 2025",
        units=[unit],
        appraisers=[leader],
    )
    assessment = period.assessments.get()
    score = assessment.scores.filter(node__children__isnull=True).first()
    procedure = make_procedure(steps=[("Thẩm định", "3", unit)])
    component = procedure.components.first()
    dossier, _secret = dossier_file_online(
        procedure=procedure,
        applicant=APPLICANT,
        files={f"component_{component.pk}": pdf_upload()},
        agency=agency,
        at=at(2026, 3, 2, 8),
    )
    report = reports.report_create(
        actor=leader,
        agency=agency,
        year=2024,
        as_of=dt.date(2024, 12, 31),
        number=5,
        issued_on=dt.date(2025, 1, 5),
    )
    petition = feedback.petition_submit(
        agency=agency, sender_name="An", sender_email="an@example.vn", subject="S", content="C"
    )
    article = portal.article(portal.category(), "Bài đã đăng")
    return {
        "leader": leader,
        # path prefix → the real object its path parameter (id, plan_pk, code, slug) names
        "real": [
            ("/api/v1/par/periods/", period.pk),
            ("/api/v1/par/assessments/", assessment.pk),
            ("/api/v1/par/scores/", score.pk),
            ("/api/v1/procedures/", procedure.pk),
            ("/api/v1/plans/tasks/", task.pk),
            ("/api/v1/plans/", plan.pk),
            ("/api/v1/reports/", report.pk),
            ("/api/v1/dossiers/", dossier.code),
            ("/api/v1/feedback/petitions/", petition.code),
            ("/api/v1/portal/articles/", article.slug),
        ],
        "choices": {"fmt": ["pdf", "docx", "xlsx"]},
    }


def aim_at_real_objects(case, world, aim: int) -> None:
    target = next((value for prefix, value in world["real"] if case.path.startswith(prefix)), None)
    for name in list(case.path_parameters or {}):
        if name in world["choices"]:
            options = world["choices"][name]
            case.path_parameters[name] = options[aim % len(options)]
        elif name != "action" and target is not None:
            case.path_parameters[name] = target


@pytest.fixture
def api_schema(db):
    # Django's test client does the same: closing "old" connections at each request would
    # break the test transaction the whole run lives in.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    quiet = logging.getLogger("django.request")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # thousands of expected 4xx warnings; 5xx still logged
    try:
        # The national portal's push is enabled (a secret set), so it is fuzzed past its 503.
        with override_settings(SITE_AGENCY_CODE="TEST", DVCQG_INBOUND_SECRET="fuzz-secret"):
            # Unknown query parameters are ignored, as HTTP APIs conventionally do; every
            # documented parameter and body field is still fuzzed with invalid values.
            config = schemathesis.Config.from_dict(
                {"generation": {"allow-extra-parameters": False}}
            )
            yield schemathesis.openapi.from_wsgi(
                "/api/schema/?format=json", WSGIHandler(), config=config
            )
    finally:
        quiet.setLevel(level)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def world(api_schema):
    from rest_framework.authtoken.models import Token

    data = build_world()
    data["token"] = Token.objects.create(user=data["leader"]).key
    return data


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("FUZZ_RANDOM") != "1",  # CI: the same examples every run
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    report_multiple_bugs=False,
)


def strategy_for(operation):
    """Valid and invalid requests, half of them aimed at real objects."""
    modes = [operation.as_strategy(mode) for mode in GenerationMode]
    return st.tuples(st.one_of(modes), st.none() | st.integers(min_value=0, max_value=50))


def fuzz(schema, world, headers, budget) -> list[str]:
    started, failures = time.monotonic(), []
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        if time.monotonic() - started > budget:
            failures.append(f"{label}: not fuzzed, time budget of {budget:.0f}s spent")
            continue
        STATS["operations"].add(label)

        @FUZZ_SETTINGS
        @given(strategy_for(operation))
        def run(pair):
            case, aim = pair
            if aim is not None:
                aim_at_real_objects(case, world, aim)
            STATS["examples"] += 1
            cache.clear()  # rate-limit counters: each example starts from a quiet client
            with transaction.atomic():
                case.call_and_validate(headers=headers, checks=CHECKS)
                transaction.set_rollback(True)

        try:
            run()
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - schemathesis raises exception groups
            failures.append(f"{label}: {str(exc)[:2000]}")
    for failure in failures:
        sys.stderr.write(f"\nFUZZ FAILURE {failure}\n")
    return failures


def test_api_as_anonymous(api_schema, world):
    failures = fuzz(api_schema, world, None, BUDGET / 2)
    assert not failures, "\n\n".join(failures)


def test_api_as_staff_with_a_token(api_schema, world):
    headers = {"Authorization": f"Token {world['token']}"}
    failures = fuzz(api_schema, world, headers, BUDGET / 2)
    assert not failures, "\n\n".join(failures)


def test_fuzz_figures():
    """Runs after the two fuzz tests: prints what was fuzzed (operations, examples)."""
    if not STATS["examples"]:
        pytest.skip("the fuzz tests did not run in this session")
    sys.stderr.write(
        f"\nAPI fuzz: {len(STATS['operations'])} operations, {STATS['examples']} examples\n"
    )
    assert len(STATS["operations"]) >= 30


# --- the defects the fuzzer found, each pinned by a plain test ---------------------------------


@pytest.mark.django_db
def test_an_unknown_api_path_answers_json_and_a_page_answers_html(client):
    api = client.get("/api/v1/dossiers/TEST-1/not a slug")
    assert api.status_code == 404
    assert api.json() == {"errors": [{"field": None, "message": "Không tìm thấy."}]}
    page = client.get("/khong-co-trang-nay/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_an_empty_or_non_numeric_page_is_a_404_not_page_one(client):
    assert client.get("/api/v1/procedures/", {"page": "1"}).status_code == 200
    for page in ("", "x", "-1", "1.5"):
        response = client.get("/api/v1/procedures/", {"page": page})
        assert response.status_code == 404, page
        assert response.json()["errors"][0]["message"]


@pytest.mark.django_db
def test_the_schema_documents_401_everywhere_and_404_for_object_paths(client):
    schema = client.get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    assert {"AssessmentActionIn", "DossierActionIn"} <= set(components)
    nullable = components["DossierOut"]["properties"]["received_at"]
    assert nullable.get("nullable") is True
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            assert "401" in operation["responses"], (method, path)
            if "{" in path:
                assert "404" in operation["responses"], (method, path)


@pytest.mark.django_db
def test_a_comment_name_longer_than_documented_is_refused_even_with_spaces(client):
    from cchc.portal.models import Comment
    from cchc.portal.tests import factories as portal

    article = portal.article(portal.category(), "Bài")
    url = f"/api/v1/portal/articles/{article.slug}/comments/"
    too_long = {"name": " " * 4 + "a" * 118, "email": "a@example.vn", "text": "Ý kiến"}
    response = client.post(url, too_long, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "name"
    fits = {"name": "  An  ", "email": "a@example.vn", "text": " Ý kiến "}
    assert client.post(url, fits, content_type="application/json").status_code == 201
    assert Comment.objects.get().name == "An"


# A lone surrogate ("\udc80" in JSON) is valid JSON but cannot be encoded as UTF-8: DRF echoes
# an invalid choice in its message, and the renderer then failed with 500.
LONE_SURROGATE = "\udc80"


def _enum_fields(schema):
    """(method, path, [body fields], [query parameters]) of every operation with a choice."""
    components = schema["components"]["schemas"]

    def resolve(node):
        while "$ref" in node:
            node = components[node["$ref"].rsplit("/", 1)[-1]]
        return node

    def is_choice(node):
        node = resolve(node)
        if "enum" in node:
            return True
        if node.get("type") == "array" and "items" in node:
            return is_choice(node["items"])
        return any(
            is_choice(sub) for key in ("allOf", "oneOf", "anyOf") for sub in node.get(key, [])
        )

    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            body = content.get("application/json", {}).get("schema")
            properties = resolve(body).get("properties", {}) if body else {}
            fields = [name for name, node in properties.items() if is_choice(node)]
            query = [
                p["name"]
                for p in operation.get("parameters", [])
                if p["in"] == "query" and is_choice(p.get("schema", {}))
            ]
            if fields or query:
                yield method, path, fields, query


def _real_path(path, world):
    import re

    target = next((value for prefix, value in world["real"] if path.startswith(prefix)), None)
    return re.sub(r"\{[^}]+\}", str(target), path)


@pytest.mark.django_db
@override_settings(SITE_AGENCY_CODE="TEST")
def test_a_lone_surrogate_in_any_choice_field_is_a_clear_400_never_a_500(client):
    import json

    from rest_framework.authtoken.models import Token

    world = build_world()
    headers = {"Authorization": f"Token {Token.objects.create(user=world['leader']).key}"}
    schema = client.get("/api/schema/?format=json").json()
    tried = []
    for method, path, fields, query in _enum_fields(schema):
        url = _real_path(path, world)
        for name in fields:
            body = json.dumps({name: LONE_SURROGATE})  # ASCII JSON: "\udc80"
            response = getattr(client, method)(
                url, body, content_type="application/json", headers=headers
            )
            tried.append((method, path, name, response.status_code))
            assert response.status_code in (400, 403, 404), (
                method,
                path,
                name,
                response.status_code,
            )
            errors = response.json()["errors"]
            assert all(e["message"] for e in errors)
        for name in query:
            response = client.get(f"{url}?{name}=%ED%B3%80", headers=headers)  # its UTF-8 bytes
            tried.append((method, path, name, response.status_code))
            assert response.status_code in (400, 404), (method, path, name, response.status_code)
    assert len(tried) >= 10, tried
    # The invalid choice is named in the message, readable, without the unencodable character.
    response = client.post(
        _real_path("/api/v1/plans/regulations/", world),
        json.dumps({"kind": "ab" + LONE_SURROGATE}),
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 400
    message = next(e["message"] for e in response.json()["errors"] if e["field"] == "kind")
    assert "ab" in message and LONE_SURROGATE not in message
