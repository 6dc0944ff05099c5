"""The permission matrix: every URL pattern of the project (pages and the API), every persona.

ROWS below is the table: URL name → expected outcome per persona for each method. A URL pattern
without a row fails the test, naming the pattern. Each cell is checked:

- GET for every row; POST for every row (pages without writes answer 405 or treat it as GET);
  PATCH/DELETE where the API view has them.
- After every write (POST/PATCH/PUT/DELETE, sent without a body) the database must be exactly
  as before (a fingerprint of every row of every project model), except in cells marked "!",
  where the persona may act and the write must have happened (proving the fingerprint sees it).
- Every request runs in a savepoint that is rolled back, so allowed writes cannot disturb the
  next cells; the objects of the URLs belong to the officer's agency.

Outcomes: an HTTP status ("200", "400", "401", "403", "404", "405"), "302" for a redirect to
anything but the login page, "login" for a redirect to the login page.

Columns (in this order): officer (specialist, unit A), leader (unit A leader), appraiser
(appraisal council member of the period), editor (portal editor), agency leader; then the same
roles in ANOTHER agency (core.testing.OTHER_AGENCY_PERSONAS): outsider (specialist), outsider
leader (unit leader), outsider appraiser, outsider editor, outsider chief (every agency-wide and
desk role at once); citizen (account without a unit), anonymous. A persona of the other agency
may never write (no "!" in its columns) nor see a record carrying SECRET: agency scope is
checked, not only the role.

Set MATRIX_PRINT=1 to print the observed table instead of asserting (to write new rows).
"""

import dataclasses
import functools
import hashlib
import os
import sys
import time

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.shortcuts import resolve_url
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from cchc.core.testing import OTHER_AGENCY_PERSONAS, PersonaTestCase

# Non-public objects of the officer's agency carry this word in a title or name: no response to
# the outsider, the citizen or the anonymous visitor may contain it.
SECRET = "Zyxmatrix"
# A real 1×1 PNG (the cover view serves what the storage holds).
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
OTHER_AGENCY = ("outsider", *OTHER_AGENCY_PERSONAS)
OUTSIDERS = {*OTHER_AGENCY, "citizen", "anonymous"}
COLUMNS = (
    "officer_a",
    "leader_a",
    "appraiser",
    "editor",
    "agency_leader",
    *OTHER_AGENCY,
    "citizen",
    "anonymous",
)
# The admin site is covered coarsely through its index page; logging out is not a permission.
SKIPPED_NAMESPACES = ("admin",)

# fmt: off
# Shorthands for common rows.
PUBLIC = "200 200 200 200 200 200 200 200 200 200 200 200"
NO_POST = "405 405 405 405 405 405 405 405 405 405 405 405"
ROWS = {
    "api-docs": {"get": PUBLIC, "post": NO_POST},
    "api:calendar-due": {"get": "400 400 400 400 400 400 400 400 400 400 400 400", "post": NO_POST},
    "api:dossiers-action": {"get": "405 405 405 405 405 405 405 405 405 405 405 401", "post": "404 404 404 404 403 404 404 404 404 404 404 401"},
    "api:dossiers-detail": {"get": "404 404 404 404 200 404 404 404 404 404 404 401", "post": "405 405 405 405 405 405 405 405 405 405 405 401"},
    "api:dossiers-file": {"get": NO_POST, "post": "400 400 400 400 400 400 400 400 400 400 400 400"},
    "api:dossiers-lookup": {"get": "404 404 404 404 404 404 404 404 404 404 404 404", "post": NO_POST},
    # "My dossiers": every signed-in person gets their own list (empty for staff: the desk
    # pages show the agency's); one's own claimed dossier and its receipt for its owner only.
    "api:dossiers-mine": {"get": "200 200 200 200 200 200 200 200 200 200 200 401", "post": "400 400 400 400 400 400 400 400 400 400 400 401"},
    "api:dossiers-queue": {"get": "200 200 200 200 200 200 200 200 200 200 404 401", "post": "405 405 405 405 405 405 405 405 405 405 405 401"},
    "api:dossiers-statistics": {"get": "404 200 404 404 200 404 200 404 404 200 404 401", "post": "405 405 405 405 405 405 405 405 405 405 405 401"},
    "api:dossiers-supplement": {"get": NO_POST, "post": "400 400 400 400 400 400 400 400 400 400 400 400"},
    # The national portal's push (nationalportal/inbound.py): only an HMAC-signed body, never a session.
    "api:dvcqg-inbound": {"get": NO_POST, "post": "401 401 401 401 401 401 401 401 401 401 401 401"},
    "api:feedback-answer-list": {"get": PUBLIC, "post": NO_POST},
    "api:feedback-counters": {"get": PUBLIC, "post": NO_POST},
    # Staff who see the petition read it with their actions; only a handler acts (feedback/tests/test_flow.py).
    "api:feedback-petition": {"get": "404 404 404 404 200 404 404 404 404 404 404 401", "post": "405 405 405 405 405 405 405 405 405 405 405 401"},
    "api:feedback-petition-action": {"get": "405 405 405 405 405 405 405 405 405 405 405 401", "post": "404 404 404 404 200! 404 404 404 404 404 404 401"},
    "api:feedback-petition-create": {"get": NO_POST, "post": "400 400 400 400 400 400 400 400 400 400 400 400"},
    "api:par-assessment-action": {"get": NO_POST, "post": "400 400 400 404 400 404 404 404 404 404 404 401"},
    "api:par-assessment-detail": {"get": "200 200 200 404 200 404 404 404 404 404 404 404", "post": "405 405 405 405 405 405 405 405 405 405 405 401"},
    "api:par-assessment-result": {"get": "200 200 200 404 200 404 404 404 404 404 404 404", "post": NO_POST},
    "api:par-assessment-whatif": {"get": NO_POST, "post": "400 400 400 404 400 404 404 404 404 404 404 404"},
    "api:par-framework-import": {"get": NO_POST, "post": "404 404 404 404 404 404 404 404 404 400 404 401"},
    "api:par-period-list": {"get": PUBLIC, "post": NO_POST},
    "api:par-score-update": {"get": NO_POST, "post": "405 405 405 405 405 405 405 405 405 405 405 401", "patch": "400 400 400 404 400 404 404 404 404 404 404 401"},
    "api:par-survey-import": {"get": NO_POST, "post": "404 404 404 404 404 404 404 404 404 404 404 401"},
    "api:plans-legal-review-detail": {"get": "200 200 200 200 200 404 404 404 404 404 404 401", "post": "405 405 405 405 405 405 405 405 405 405 405 401", "patch": "404 404 404 404 200 404 404 404 404 404 404 401"},
    "api:plans-legal-review-list": {"get": "200 200 200 200 200 200 200 200 200 200 200 401", "post": "404 404 404 404 400 404 404 404 404 400 404 401"},
    "api:plans-plan-detail": {"get": "200 200 200 200 200 404 404 404 404 404 404 401", "post": "405 405 405 405 405 405 405 405 405 405 405 401", "patch": "404 404 404 404 200 404 404 404 404 404 404 401", "delete": "404 404 404 404 400 404 404 404 404 404 404 401"},
    "api:plans-plan-list": {"get": "200 200 200 200 200 200 200 200 200 200 200 401", "post": "404 404 404 404 400 404 404 404 404 400 404 401"},
    "api:plans-procedure-review-detail": {"get": "200 200 200 200 200 404 404 404 404 404 404 401", "post": "405 405 405 405 405 405 405 405 405 405 405 401", "patch": "404 404 404 404 200 404 404 404 404 404 404 401"},
    "api:plans-procedure-review-list": {"get": "200 200 200 200 200 200 200 200 200 200 200 401", "post": "404 404 404 404 400 404 404 404 404 400 404 401"},
    "api:plans-quality-record-detail": {"get": "200 200 200 200 200 404 404 404 404 404 404 401", "post": "405 405 405 405 405 405 405 405 405 405 405 401", "patch": "404 404 404 404 200 404 404 404 404 404 404 401"},
    "api:plans-quality-record-list": {"get": "200 200 200 200 200 200 200 200 200 200 200 401", "post": "404 404 404 404 400 404 404 404 404 400 404 401"},
    "api:plans-regulation-detail": {"get": "200 200 200 200 200 404 404 404 404 404 404 401", "post": "405 405 405 405 405 405 405 405 405 405 405 401", "patch": "404 404 404 404 200 404 404 404 404 404 404 401"},
    "api:plans-regulation-list": {"get": "200 200 200 200 200 200 200 200 200 200 200 401", "post": "404 404 404 404 400 404 404 404 404 400 404 401"},
    # A task's transitions (plans.services.FLOW): the lead unit and the agency-wide roles; other
    # staff of the agency see the task and are refused with the reason.
    "api:plans-task-action": {"get": "405 405 405 405 405 405 405 405 405 405 405 401", "post": "200! 200! 403 403 200! 404 404 404 404 404 404 401"},
    "api:plans-task-detail": {"get": "200 200 200 200 200 404 404 404 404 404 404 401", "post": "405 405 405 405 405 405 405 405 405 405 405 401", "patch": "200 200 404 404 200 404 404 404 404 404 404 401", "delete": "404 404 404 404 204! 404 404 404 404 404 404 401"},
    "api:plans-task-import": {"get": "405 405 405 405 405 405 405 405 405 405 405 401", "post": "404 404 404 404 400 404 404 404 404 404 404 401"},
    "api:plans-task-list": {"get": "200 200 200 200 200 404 404 404 404 404 404 401", "post": "404 404 404 404 400 404 404 404 404 404 404 401"},
    "api:portal-article-detail": {"get": PUBLIC, "post": NO_POST},
    "api:portal-article-list": {"get": PUBLIC, "post": NO_POST},
    "api:portal-category-list": {"get": PUBLIC, "post": NO_POST},
    "api:portal-comment-create": {"get": NO_POST, "post": "400 400 400 400 400 400 400 400 400 400 400 400"},
    "api:portal-schedule-list": {"get": PUBLIC, "post": NO_POST},
    "api:portal-science-list": {"get": PUBLIC, "post": NO_POST},
    "api:procedures-detail": {"get": PUBLIC, "post": NO_POST},
    "api:procedures-list": {"get": PUBLIC, "post": NO_POST},
    "api:reports-dashboard": {"get": "200 200 200 200 200 200 200 200 200 200 404 401", "post": "405 405 405 405 405 405 405 405 405 405 405 401"},
    "api:reports-report-detail": {"get": "200 200 200 200 200 404 404 404 404 404 404 401", "post": "405 405 405 405 405 405 405 405 405 405 405 401"},
    "api:reports-report-download": {"get": "200 200 200 200 200 404 404 404 404 404 404 401", "post": "405 405 405 405 405 405 405 405 405 405 405 401"},
    "api:reports-report-generate": {"get": "405 405 405 405 405 405 405 405 405 405 405 401", "post": "404 404 404 404 202! 404 404 404 404 404 404 401"},
    "api:reports-report-list": {"get": "200 200 200 200 200 200 200 200 200 200 200 401", "post": "404 404 404 404 400 404 404 404 404 400 404 401"},
    "core:calendar": {"get": PUBLIC, "post": NO_POST},
    "core:glossary": {"get": PUBLIC, "post": NO_POST},
    "core:home": {"get": PUBLIC, "post": NO_POST},
    "dossiers:dossier-action": {"get": NO_POST, "post": "404 404 404 404 403 404 404 404 404 404 404 404"},
    "dossiers:dossier-detail": {"get": "404 404 404 404 200 404 404 404 404 404 404 404", "post": "404 404 404 404 200 404 404 404 404 404 404 404"},
    # Only the desk and the agency's leaders see a dossier (and its files): dossiers/tests/test_access.py.
    "dossiers:dossier-file-download": {"get": "404 404 404 404 200 404 404 404 404 404 404 404", "post": NO_POST},
    "dossiers:dossier-file": {"get": PUBLIC, "post": PUBLIC},
    "dossiers:dossier-filed": {"get": "302 302 302 302 302 302 302 302 302 302 302 302", "post": NO_POST},
    "dossiers:dossier-form": {"get": "404 404 404 404 200 404 404 404 404 404 404 404", "post": "404 404 404 404 200 404 404 404 404 404 404 404"},
    "dossiers:dossier-lookup": {"get": PUBLIC, "post": NO_POST},
    # Rating a returned dossier: public, only with the signed token (none here: 400); dossiers/tests/test_ratings.py.
    "dossiers:dossier-rate": {"get": "400 400 400 400 400 400 400 400 400 400 400 400", "post": "400 400 400 400 400 400 400 400 400 400 400 400"},
    "dossiers:dossier-queue": {"get": "200 200 200 200 200 200 200 200 200 200 404 404", "post": "200 200 200 200 200 200 200 200 200 200 404 404"},
    "dossiers:dossier-receive": {"get": "404 404 404 404 404 404 404 404 404 200 404 404", "post": "404 404 404 404 404 404 404 404 404 200 404 404"},
    # The same page for every code until the secret is given (no telling which codes exist).
    "dossiers:dossier-resubmit": {"get": PUBLIC, "post": "400 400 400 400 400 400 400 400 400 400 400 400"},
    "dossiers:my-dossiers": {"get": "200 200 200 200 200 200 200 200 200 200 200 login", "post": "400 400 400 400 400 400 400 400 400 400 400 login"},
    "dossiers:my-dossier": {"get": "404 404 404 404 404 404 404 404 404 404 200 login", "post": NO_POST},
    "dossiers:my-dossier-form": {"get": "404 404 404 404 404 404 404 404 404 404 200 login", "post": NO_POST},
    "dossiers:statistics": {"get": "404 200 404 404 200 404 200 404 404 200 404 404", "post": "404 200 404 404 200 404 200 404 404 200 404 404"},
    # The month's ratings: who sees the dossier statistics, each for their own agency.
    "dossiers:satisfaction": {"get": "404 200 404 404 200 404 200 404 404 200 404 404", "post": NO_POST},
    "dossiers:statistics-excel": {"get": "404 200 404 404 200 404 200 404 404 200 404 404", "post": "404 200 404 404 200 404 200 404 404 200 404 404"},
    "dossiers:tracking-book": {"get": "404 200 404 404 200 404 200 404 404 200 404 404", "post": "404 200 404 404 200 404 200 404 404 200 404 404"},
    "dossiers:unit-load": {"get": "404 200 404 404 200 404 200 404 404 200 404 404", "post": "404 200 404 404 200 404 200 404 404 200 404 404"},
    # Public signature check (a POST without a file or code is a 400 form); a dossier's signed
    # documents for those who see the dossier (esign/tests/test_verify_page.py).
    "esign:signature-verify": {"get": PUBLIC, "post": "400 400 400 400 400 400 400 400 400 400 400 400"},
    "esign:dossier-signatures": {"get": "404 404 404 404 200 404 404 404 404 404 404 404", "post": NO_POST},
    "feedback:answer-detail": {"get": PUBLIC, "post": NO_POST},
    "feedback:answer-list": {"get": PUBLIC, "post": NO_POST},
    "feedback:counting-rule": {"get": PUBLIC, "post": NO_POST},
    "feedback:lookup": {"get": PUBLIC, "post": NO_POST},
    "feedback:petition-create": {"get": PUBLIC, "post": PUBLIC},
    "feedback:staff-action": {"get": "405 405 405 405 405 405 405 405 405 405 405 login", "post": "404 404 404 404 302! 404 404 404 404 404 404 login"},
    "feedback:staff-detail": {"get": "404 404 404 404 200 404 404 404 404 404 404 login", "post": "405 405 405 405 405 405 405 405 405 405 405 login"},
    # Only those who see the petition (handlers, agency-wide, its unit) get its files: feedback/tests/test_petitions.py.
    "feedback:staff-attachment-download": {"get": "404 404 404 404 200 404 404 404 404 404 404 login", "post": "405 405 405 405 405 405 405 405 405 405 405 login"},
    "feedback:staff-queue": {"get": "200 200 200 200 200 200 200 200 200 200 404 login", "post": "405 405 405 405 405 405 405 405 405 405 405 login"},
    "healthz": {"get": PUBLIC, "post": NO_POST},
    "login": {"get": "302 302 302 302 302 302 302 302 302 302 302 200", "post": "302 302 302 302 302 302 302 302 302 302 302 200", "put": "302 302 302 302 302 302 302 302 302 302 302 200"},
    "logout": {"get": NO_POST, "post": "302 302 302 302 302 302 302 302 302 302 302 302"},
    # Open data and Open311 are public and read-only; a POST of requests.json without fields is 400 (feedback/tests/test_open311.py).
    "open311:request-detail": {"get": PUBLIC, "post": NO_POST},
    "open311:requests": {"get": PUBLIC, "post": "400 400 400 400 400 400 400 400 400 400 400 400"},
    "open311:services": {"get": PUBLIC, "post": NO_POST},
    "opendata:agency-catalogue": {"get": PUBLIC, "post": NO_POST},
    "opendata:agency-index": {"get": PUBLIC, "post": NO_POST},
    "opendata:catalogue": {"get": PUBLIC, "post": NO_POST},
    "opendata:dataset": {"get": PUBLIC, "post": NO_POST},
    "opendata:index": {"get": PUBLIC, "post": NO_POST},
    # Online payment: start needs the lookup credentials (none given: 400); the platform's
    # callback is refused unsigned (400, MaLoi 99); the return page is found by the
    # transaction's unguessable reference and shows its state only (payments/tests).
    "payments:payment-start": {"get": NO_POST, "post": "400 400 400 400 400 400 400 400 400 400 400 400"},
    "payments:payment-callback": {"get": NO_POST, "post": "400 400 400 400 400 400 400 400 400 400 400 400"},
    "payments:payment-return": {"get": PUBLIC, "post": NO_POST},
    "parindex:assessment": {"get": "200 200 200 404 200 404 404 404 404 404 404 404", "post": NO_POST},
    "parindex:assessment-action": {"get": NO_POST, "post": "400 400 400 404 400 404 404 404 404 404 404 404"},
    "parindex:assignments": {"get": "200 200 200 404 200 404 404 404 404 404 404 404", "post": "404 200 404 404 404 404 404 404 404 404 404 404"},
    "parindex:evidence-download": {"get": "200 200 200 404 200 404 404 404 404 404 404 404", "post": NO_POST},
    "parindex:evidence-upload": {"get": NO_POST, "post": "404 302 404 404 404 404 404 404 404 404 404 404"},
    "parindex:field": {"get": "200 200 200 404 200 404 404 404 404 404 404 404", "post": NO_POST},
    "parindex:framework-copy": {"get": NO_POST, "post": "404 404 404 404 404 404 404 404 404 302 404 404"},
    "parindex:framework-detail": {"get": "200 200 200 200 200 200 200 200 200 200 404 404", "post": NO_POST},
    "parindex:framework-import": {"get": "404 404 404 404 404 404 404 404 404 200 404 404", "post": "404 404 404 404 404 404 404 404 404 400 404 404"},
    "parindex:framework-list": {"get": "200 200 200 200 200 200 200 200 200 200 404 404", "post": NO_POST},
    "parindex:home": {"get": PUBLIC, "post": NO_POST},
    "parindex:metrics-refresh": {"get": NO_POST, "post": "404 302 404 404 404 404 404 404 404 404 404 404"},
    "parindex:missing": {"get": "200 200 200 404 200 404 404 404 404 404 404 404", "post": NO_POST},
    "parindex:period": {"get": "200 200 200 404 200 404 404 404 404 404 404 404", "post": NO_POST},
    "parindex:period-export": {"get": "404 404 200 404 200 404 404 404 404 404 404 404", "post": NO_POST},
    "parindex:period-new": {"get": "404 404 404 404 404 404 404 404 404 200 404 404", "post": "404 404 404 404 404 404 404 404 404 200 404 404"},
    "parindex:result": {"get": "200 200 200 404 200 404 404 404 404 404 404 404", "post": NO_POST},
    "parindex:result-pdf": {"get": "200 200 200 404 200 404 404 404 404 404 404 404", "post": NO_POST},
    "parindex:score-history": {"get": "200 200 200 404 200 404 404 404 404 404 404 404", "post": NO_POST},
    "parindex:score-save": {"get": NO_POST, "post": "302 302 302 404 302 404 404 404 404 404 404 404"},
    "parindex:survey-import": {"get": "404 404 404 404 404 404 404 404 404 404 404 404", "post": "404 404 404 404 404 404 404 404 404 404 404 404"},
    "password_change": {"get": "200 200 200 200 200 200 200 200 200 200 200 login", "post": "200 200 200 200 200 200 200 200 200 200 200 login", "put": "200 200 200 200 200 200 200 200 200 200 200 login"},
    "password_change_done": {"get": "200 200 200 200 200 200 200 200 200 200 200 login", "post": "405 405 405 405 405 405 405 405 405 405 405 login"},
    "plans:legal-review-edit": {"get": "404 404 404 404 200 404 404 404 404 404 404 login", "post": "404 404 404 404 200 404 404 404 404 404 404 login"},
    "plans:legal-review-list": {"get": "200 200 200 200 200 200 200 200 200 200 404 login", "post": "404 404 404 404 200 404 404 404 404 200 404 login"},
    "plans:plan-detail": {"get": "200 200 200 200 200 404 404 404 404 404 404 login", "post": "200 200 200 200 200 404 404 404 404 404 404 login"},
    "plans:plan-export": {"get": "200 200 200 200 200 404 404 404 404 404 404 login", "post": "200 200 200 200 200 404 404 404 404 404 404 login"},
    "plans:plan-import": {"get": "405 405 405 405 405 405 405 405 405 405 405 login", "post": "404 404 404 404 400 404 404 404 404 404 404 login"},
    "plans:plan-list": {"get": "200 200 200 200 200 200 200 200 200 200 404 login", "post": "404 404 404 404 200 404 404 404 404 200 404 login"},
    "plans:procedure-review-edit": {"get": "404 404 404 404 200 404 404 404 404 404 404 login", "post": "404 404 404 404 200 404 404 404 404 404 404 login"},
    "plans:procedure-review-list": {"get": "200 200 200 200 200 200 200 200 200 200 404 login", "post": "404 404 404 404 200 404 404 404 404 200 404 login"},
    "plans:quality-edit": {"get": "404 404 404 404 200 404 404 404 404 404 404 login", "post": "404 404 404 404 200 404 404 404 404 404 404 login"},
    "plans:quality-list": {"get": "200 200 200 200 200 200 200 200 200 200 404 login", "post": "404 404 404 404 200 404 404 404 404 200 404 login"},
    "plans:regulation-download": {"get": "200 200 200 200 200 404 404 404 404 404 404 login", "post": "200 200 200 200 200 404 404 404 404 404 404 login"},
    "plans:regulation-edit": {"get": "404 404 404 404 200 404 404 404 404 404 404 login", "post": "404 404 404 404 200 404 404 404 404 404 404 login"},
    "plans:regulation-list": {"get": "200 200 200 200 200 200 200 200 200 200 404 login", "post": "404 404 404 404 200 404 404 404 404 200 404 login"},
    "plans:task-action": {"get": "405 405 405 405 405 405 405 405 405 405 405 login", "post": "302! 302! 403 403 302! 404 404 404 404 404 404 login"},
    "plans:task-create": {"get": "404 404 404 404 200 404 404 404 404 404 404 login", "post": "404 404 404 404 200 404 404 404 404 404 404 login"},
    "plans:task-detail": {"get": "200 200 200 200 200 404 404 404 404 404 404 login", "post": "404 404 404 404 404 404 404 404 404 404 404 login"},
    "plans:task-evidence": {"get": "405 405 405 405 405 405 405 405 405 405 405 login", "post": "302 302 404 404 302 404 404 404 404 404 404 login"},
    "plans:task-evidence-download": {"get": "200 200 200 200 200 404 404 404 404 404 404 login", "post": "200 200 200 200 200 404 404 404 404 404 404 login"},
    "portal:article-detail": {"get": PUBLIC, "post": NO_POST},
    "portal:article-list": {"get": PUBLIC, "post": NO_POST},
    "portal:category-detail": {"get": PUBLIC, "post": NO_POST},
    "portal:category-feed": {"get": PUBLIC, "post": NO_POST},
    "portal:comment-create": {"get": PUBLIC, "post": PUBLIC},
    "portal:feed": {"get": PUBLIC, "post": NO_POST},
    "portal:home": {"get": PUBLIC, "post": NO_POST},
    "portal:links": {"get": PUBLIC, "post": NO_POST},
    "portal:organisation": {"get": PUBLIC, "post": NO_POST},
    "portal:page": {"get": PUBLIC, "post": NO_POST},
    "portal:robots": {"get": PUBLIC, "post": NO_POST},
    "portal:schedule": {"get": PUBLIC, "post": NO_POST},
    "portal:science-detail": {"get": PUBLIC, "post": NO_POST},
    "portal:science-list": {"get": PUBLIC, "post": NO_POST},
    "portal:science-results": {"get": PUBLIC, "post": NO_POST},
    "portal:search": {"get": PUBLIC, "post": NO_POST},
    "portal:sitemap": {"get": PUBLIC, "post": NO_POST},
    "portal:staff-article": {"get": "404 200 404 200 200 404 404 404 404 404 404 login", "post": "404 200 404 200 200 404 404 404 404 404 404 login"},
    # Submitting a draft: editors only; a leader is refused with the reason (403, ARTICLE_FLOW).
    "portal:staff-article-action": {"get": "405 405 405 405 405 405 405 405 405 405 405 login", "post": "404 403 404 302! 403 404 404 404 404 404 404 login"},
    "portal:staff-article-edit": {"get": "404 404 404 200 404 404 404 404 404 404 404 login", "post": "404 404 404 200 404 404 404 404 404 404 404 login"},
    "portal:staff-article-new": {"get": "404 404 404 200 404 404 404 404 404 404 404 login", "post": "404 404 404 200 404 404 404 404 404 404 404 login"},
    "portal:staff-articles": {"get": "404 200 404 200 200 404 404 404 404 404 404 login", "post": "404 200 404 200 200 404 404 404 404 404 404 login"},
    "portal:staff-comments": {"get": "404 200 404 200 200 404 404 404 404 404 404 login", "post": "404 404 404 404 404 404 404 404 404 404 404 login"},
    "portal:staff-schedule": {"get": "404 404 404 200 200 404 404 404 200 200 404 login", "post": "404 404 404 200 200 404 404 404 200 200 404 login"},
    "portal:staff-science-file": {"get": "405 405 405 405 405 405 405 405 405 405 405 login", "post": "404 404 404 302 404 404 404 404 404 404 404 login"},
    "portal:staff-visits": {"get": "404 404 404 404 200 404 404 404 404 200 404 login", "post": "404 404 404 404 200 404 404 404 404 200 404 login"},
    "portal:tag-detail": {"get": PUBLIC, "post": NO_POST},
    "procedures:procedure-components": {"get": "404 200 404 404 200 404 404 404 404 404 404 404", "post": "404 200 404 404 200 404 404 404 404 404 404 404"},
    "procedures:procedure-detail": {"get": PUBLIC, "post": NO_POST},
    "procedures:procedure-edit": {"get": "404 200 404 404 200 404 404 404 404 404 404 404", "post": "404 200 404 404 200 404 404 404 404 404 404 404"},
    "procedures:procedure-legal-bases": {"get": "404 200 404 404 200 404 404 404 404 404 404 404", "post": "404 200 404 404 200 404 404 404 404 404 404 404"},
    "procedures:procedure-list": {"get": PUBLIC, "post": NO_POST},
    "procedures:procedure-steps": {"get": "404 200 404 404 200 404 404 404 404 404 404 404", "post": "404 200 404 404 200 404 404 404 404 404 404 404"},
    # DVCQG mapping (procedures/national_views.py): the catalogue editors of the site agency;
    # the code lists are a reference for every civil servant (no agency record on them).
    "procedures:national-mapping": {"get": "404 200 404 404 200 404 404 404 404 404 404 404", "post": NO_POST},
    "procedures:national-import": {"get": "404 200 404 404 200 404 404 404 404 404 404 404", "post": "404 400 404 404 400 404 404 404 404 404 404 404"},
    "procedures:national-fields": {"get": "404 200 404 404 200 404 404 404 404 404 404 404", "post": "404 400 404 404 400 404 404 404 404 404 404 404"},
    "procedures:national-procedure": {"get": "404 200 404 404 200 404 404 404 404 404 404 404", "post": "404 400 404 404 400 404 404 404 404 404 404 404"},
    "procedures:national-codes": {"get": "200 200 200 200 200 200 200 200 200 200 404 404", "post": NO_POST},
    "reports:dashboard": {"get": "200 200 200 200 200 200 200 200 200 200 404 login", "post": "200 200 200 200 200 200 200 200 200 200 404 login"},
    "reports:report-detail": {"get": "200 200 200 200 200 404 404 404 404 404 404 login", "post": "404 404 404 404 302! 404 404 404 404 404 404 login"},
    "reports:report-download": {"get": "200 200 200 200 200 404 404 404 404 404 404 login", "post": "200 200 200 200 200 404 404 404 404 404 404 login"},
    "reports:report-generate": {"get": "405 405 405 405 405 405 405 405 405 405 405 login", "post": "404 404 404 404 302! 404 404 404 404 404 404 login"},
    "reports:report-list": {"get": "200 200 200 200 200 200 200 200 200 200 404 login", "post": "404 404 404 404 200 404 404 404 404 200 404 login"},
    "reports:report-progress": {"get": "200 200 200 200 200 404 404 404 404 404 404 login", "post": "200 200 200 200 200 404 404 404 404 404 404 login"},
    "schema": {"get": PUBLIC, "post": NO_POST},
    # Sign-in hardening: the admin's own login (rate-limited; no persona is staff), and the
    # two-factor steps: any signed-in person may enrol; verify only when a code is pending.
    "admin-login": {"get": PUBLIC, "post": PUBLIC},
    "core:otp_devices": {"get": "200 200 200 200 200 200 200 200 200 200 200 login", "post": "302 302 302 302 302 302 302 302 302 302 302 login"},
    # Staff are enrolled (two-factor is on for them by default): enrolling again goes to
    # their devices; the citizen may enrol by choice.
    "core:otp_enrol": {"get": "302 302 302 302 302 302 302 302 302 302 200 login", "post": "302 302 302 302 302 302 302 302 302 302 200 login"},
    "core:otp_verify": {"get": "302 302 302 302 302 302 302 302 302 302 302 login", "post": "302 302 302 302 302 302 302 302 302 302 302 login"},
    # Public downloads that replaced direct MEDIA_URL links (public like their pages).
    "portal:cover-image": {"get": PUBLIC, "post": NO_POST},
    "portal:science-file": {"get": PUBLIC, "post": NO_POST},
    "procedures:component-template": {"get": PUBLIC, "post": NO_POST},
    # National portal link: a dossier's sync log for those who see the dossier; failures and
    # "Gửi lại" for the agency's system admins only (outsider_chief sees its own, empty list);
    # signed file links for the national side are public (nationalportal/tests/test_pages.py).
    "nationalportal:dossier-sync-log": {"get": "404 404 404 404 200 404 404 404 404 404 404 404", "post": NO_POST},
    "nationalportal:failures": {"get": "404 404 404 404 404 404 404 404 404 200 404 404", "post": NO_POST},
    "nationalportal:retry": {"get": NO_POST, "post": "404 404 404 404 404 404 404 404 404 404 404 404"},
    "nationalportal:public-file": {"get": PUBLIC, "post": NO_POST},
    "admin:index": {"get": "302 302 302 302 302 302 302 302 302 302 302 302", "post": "302 302 302 302 302 302 302 302 302 302 302 302"},
}
# fmt: on


def _records_rows():
    """The records app (cchc.records): one set of pages and endpoints for every kind of record
    (the kind in the path; checked with one kind). Staff read their own agency's records, its
    agency-wide roles write, other agencies' staff see only their own."""
    staff = "200 200 200 200 200 200 200 200 200 200 404 login"
    manage = "404 404 404 404 {0} 404 404 404 404 {1} 404 login"
    own = "404 404 404 404 {0} 404 404 404 404 404 404 login"
    rows = {
        "records:overview": {"get": staff, "post": staff},
        "records:list": {"get": staff, "post": staff},
        "records:template": {"get": staff, "post": staff},
        "records:create": {"get": manage.format(200, 200), "post": manage.format(400, 400)},
        "records:import": {"get": manage.format(302, 302), "post": manage.format(400, 400)},
        "records:edit": {"get": own.format(200), "post": own.format(400)},
        "records:delete": {"get": own.format(200), "post": own.format("302!")},
    }
    rows["api:records-list"] = {
        "get": "200 200 200 200 200 200 200 200 200 200 404 401",
        "post": "404 404 404 404 400 404 404 404 404 400 404 401",
    }
    rows["api:records-detail"] = {
        "get": "200 200 200 200 200 404 404 404 404 404 404 401",
        "post": "405 405 405 405 405 405 405 405 405 405 405 401",
        "patch": "404 404 404 404 200 404 404 404 404 404 404 401",
        "delete": "404 404 404 404 204! 404 404 404 404 404 404 401",
    }
    rows["api:records-import"] = {
        "get": "405 405 405 405 405 405 405 405 405 405 405 401",
        "post": "404 404 404 404 400 404 404 404 404 400 404 401",
    }
    return rows


ROWS.update(_records_rows())


def url_names(patterns=None, namespace=""):
    """Every named URL pattern of the project, as "namespace:name"."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            if inner in SKIPPED_NAMESPACES:
                continue
            yield from url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            if not pattern.name:
                raise AssertionError(f"URL pattern without a name: {pattern.pattern}")
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def fingerprint() -> str:
    """A hash of every row of every model of the project apps (not sessions; not the
    last_login that signing a persona in sets). Raw SQL: it runs after most writes."""
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for sql in _fingerprint_queries():
            cursor.execute(sql)
            digest.update(repr(cursor.fetchall()).encode())
    return digest.hexdigest()


@functools.cache
def _fingerprint_queries() -> tuple[str, ...]:
    quote = connection.ops.quote_name
    queries = []
    for model in apps.get_models():
        if not model.__module__.startswith("cchc."):
            continue
        meta = model._meta
        columns = ", ".join(quote(f.column) for f in meta.concrete_fields if f.name != "last_login")
        queries.append(
            f"SELECT {columns} FROM {quote(meta.db_table)} ORDER BY {quote(meta.pk.column)}"
        )
    return tuple(queries)


@override_settings(SITE_AGENCY_CODE="TEST", DVCQG_INBOUND_SECRET="matrix-inbound-secret")
class PermissionMatrixTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.make_other_agency_personas()
        cls.kwargs = {}
        cls._parindex()
        cls._procedures_and_dossiers()
        cls._feedback()
        cls._portal()
        cls._plans()
        cls._reports()
        cls._nationalportal()
        cls._records()

    @classmethod
    def _parindex(cls):
        from cchc.parindex.models import Evidence, Score
        from cchc.parindex.services import period_create
        from cchc.parindex.tests.helpers import small_framework

        framework = small_framework()
        period = period_create(
            agency=cls.agency,
            framework=framework,
            year=2025,
            name="Kỳ 2025",
            units=[cls.unit_a, cls.unit_b],
            appraisers=[cls.appraiser],
        )
        assessment = period.assessments.get(unit=cls.unit_a)
        score = Score.objects.get(assessment=assessment, node__code="1.1.1")
        path = default_storage.save("tests/matrix/minh-chung.pdf", ContentFile(b"%PDF-1.4\n"))
        evidence = Evidence.objects.create(
            score=score,
            path=path,
            original_name=f"{SECRET}.pdf",
            mime="application/pdf",
            size=9,
            sha256="0" * 64,
            uploaded_by=cls.officer_a,
        )
        a, s = assessment.pk, score.pk
        cls.kwargs.update(
            {
                "parindex:framework-detail": {"pk": framework.pk},
                "parindex:framework-copy": {"pk": framework.pk},
                "parindex:period": {"pk": period.pk},
                "parindex:period-export": {"pk": period.pk},
                "parindex:survey-import": {"pk": period.pk},
                "parindex:assessment": {"pk": a},
                "parindex:assessment-action": {"pk": a},
                "parindex:metrics-refresh": {"pk": a},
                "parindex:missing": {"pk": a},
                "parindex:assignments": {"pk": a},
                "parindex:result": {"pk": a},
                "parindex:result-pdf": {"pk": a},
                "parindex:field": {"pk": a, "code": "1"},
                "parindex:score-save": {"pk": a, "score_id": s},
                "parindex:evidence-upload": {"pk": a, "score_id": s},
                "parindex:score-history": {"pk": a, "score_id": s},
                "parindex:evidence-download": {"pk": a, "evidence_id": evidence.pk},
                "api:par-survey-import": {"pk": period.pk},
                "api:par-assessment-detail": {"pk": a},
                "api:par-assessment-result": {"pk": a},
                "api:par-assessment-whatif": {"pk": a},
                "api:par-assessment-action": {"pk": a},
                "api:par-score-update": {"pk": s},
            }
        )

    @classmethod
    def _procedures_and_dossiers(cls):
        from cchc.dossiers.services import dossier_file_online
        from cchc.dossiers.tests.helpers import APPLICANT, at, make_procedure, pdf_upload

        procedure = make_procedure(steps=[("Thẩm định", "3", cls.unit_a)])
        component = procedure.components.first()
        dossier, _secret = dossier_file_online(
            procedure=procedure,
            applicant=dataclasses.replace(APPLICANT, name=f"Nguyễn {SECRET}"),
            files={f"component_{component.pk}": pdf_upload()},
            agency=cls.agency,
            at=at(2026, 3, 2, 8),
        )
        code = dossier.code
        # A rating of this month with a non-public comment (the satisfaction page lists it).
        from django.utils import timezone

        from cchc.dossiers.models import Rating

        Rating.objects.create(dossier=dossier, level=1, comment=SECRET, rated_at=timezone.now())
        from cchc.payments.models import PaymentTransaction

        payment = PaymentTransaction.objects.create(
            dossier=dossier, reference=f"{code}-MATRIX", amount=1, created_at=at(2026, 3, 2, 9)
        )
        cls.kwargs["payments:payment-return"] = {"reference": payment.reference}
        component.template_file.name = default_storage.save(
            "procedures/templates/mau-don.pdf", ContentFile(b"%PDF-1.4\n")
        )
        component.save(update_fields=["template_file"])
        cls.kwargs.update(
            {
                "procedures:procedure-detail": {"pk": procedure.pk},
                "procedures:component-template": {"pk": procedure.pk, "component_pk": component.pk},
                "procedures:procedure-edit": {"pk": procedure.pk},
                "procedures:procedure-legal-bases": {"pk": procedure.pk},
                "procedures:procedure-components": {"pk": procedure.pk},
                "procedures:procedure-steps": {"pk": procedure.pk},
                "procedures:national-procedure": {"pk": procedure.pk},
                "dossiers:dossier-file": {"procedure_pk": procedure.pk},
                "dossiers:dossier-detail": {"code": code},
                "dossiers:dossier-file-download": {"code": code, "file_pk": dossier.files.get().pk},
                "dossiers:dossier-resubmit": {"code": code},
                "dossiers:dossier-action": {"code": code, "action": "accept"},
                "dossiers:dossier-form": {"code": code, "form_code": "bm05", "fmt": "html"},
                "esign:dossier-signatures": {"code": code},
                "api:procedures-detail": {"pk": procedure.pk},
                "api:dossiers-supplement": {"code": code},
                "api:dossiers-action": {"code": code, "action": "accept"},
                "api:dossiers-detail": {"code": code},
            }
        )
        # "My dossiers": a paper dossier the citizen claimed; only the citizen sees it.
        from cchc.core.roles import Role
        from cchc.core.testing import make_user
        from cchc.dossiers.services import dossier_claim, dossier_receive_paper

        desk = make_user("matrix_desk", cls.leadership, [Role.ONE_STOP_OFFICER])
        mine, secret = dossier_receive_paper(
            actor=desk, procedure=procedure, applicant=APPLICANT, at=at(2026, 3, 2, 9)
        )
        dossier_claim(user=cls.citizen, code=mine.code, secret=secret)
        cls.kwargs.update(
            {
                "dossiers:my-dossier": {"code": mine.code},
                "dossiers:my-dossier-form": {"code": mine.code, "form_code": "bm01", "fmt": "pdf"},
            }
        )

    @classmethod
    def _feedback(cls):
        from cchc.feedback import services

        published = services.petition_submit(
            agency=cls.agency,
            sender_name="Trần Thị Bình",
            sender_email="binh@example.vn",
            subject="Đề nghị hướng dẫn",
            content="Nội dung",
            consent_to_publish=True,
        )
        handler = cls.agency_leader
        services.petition_accept(actor=handler, petition=published)
        services.petition_assign(actor=handler, petition=published, unit=cls.unit_a)
        services.petition_answer(actor=cls.leader_a, petition=published, answer="Trả lời")
        services.petition_publish(actor=handler, petition=published)
        fresh = services.petition_submit(
            agency=cls.agency,
            sender_name="Lê Văn Cường",
            sender_phone="0912345678",
            subject=f"Hỏi thủ tục {SECRET}",
            content="Nội dung",
        )
        cls.kwargs.update(
            {
                "feedback:answer-detail": {"code": published.code},
                "open311:services": {"fmt": "json"},
                "open311:requests": {"fmt": "json"},
                "open311:request-detail": {"code": published.code, "fmt": "xml"},
                "opendata:agency-index": {"agency": cls.agency.code},
                "opendata:agency-catalogue": {"agency": cls.agency.code},
                "opendata:dataset": {
                    "agency": cls.agency.code,
                    "dataset": "ho-so-theo-thang",
                    "fmt": "csv",
                },
                "feedback:staff-detail": {"code": fresh.code},
                "feedback:staff-action": {"code": fresh.code, "action": "accept"},
                "api:feedback-petition": {"code": fresh.code},
                "api:feedback-petition-action": {"code": fresh.code, "action": "accept"},
                "feedback:staff-attachment-download": {
                    "code": fresh.code,
                    "attachment_pk": fresh.attachments.create(
                        original_name="giay-to.pdf",
                        path=default_storage.save("pakn/giay-to.pdf", ContentFile(b"%PDF-1.4\n")),
                        mime="application/pdf",
                        size=9,
                        sha256="0" * 64,
                    ).pk,
                },
            }
        )

    @classmethod
    def _portal(cls):
        import datetime as dt

        from cchc.portal.models import Page, ScienceTask, ScienceTaskFile
        from cchc.portal.tests import factories as f

        category = f.category(slug="tin-hoat-dong")
        tag = f.tag("Chuyển đổi số")
        article = f.article(category, "Bài đã đăng", tags=[tag])
        draft = f.article(category, f"Bài nháp {SECRET}", status="draft")
        task = ScienceTask.objects.create(
            code="DT.01-25",
            name="Nhiệm vụ thử",
            level="province",
            lead_organisation="Viện",
            principal_investigator="TS. A",
            start_date=dt.date(2025, 1, 1),
            end_date=dt.date(2026, 12, 31),
            status="in_progress",
        )
        page = Page.objects.create(slug="gioi-thieu", title="Giới thiệu", body="<p>Sở</p>")
        result = ScienceTaskFile.objects.create(
            task=task,
            title="Báo cáo tổng hợp",
            path=default_storage.save("portal/science/ket-qua.pdf", ContentFile(b"%PDF-1.4\n")),
            mime="application/pdf",
            size=9,
            sha256="0" * 64,
        )
        cover = default_storage.save(f"portal/covers/{'c' * 32}.png", ContentFile(PNG_1PX))
        cls.kwargs.update(
            {
                "portal:article-detail": {"slug": article.slug},
                "portal:comment-create": {"slug": article.slug},
                "portal:category-detail": {"slug": category.slug},
                "portal:tag-detail": {"slug": tag.slug},
                "portal:science-detail": {"code": task.code},
                "portal:page": {"slug": page.slug},
                "portal:category-feed": {"slug": category.slug},
                "portal:staff-article": {"pk": draft.pk},
                "portal:staff-article-edit": {"pk": draft.pk},
                "portal:staff-article-action": {"pk": draft.pk, "action": "submit"},
                "portal:staff-science-file": {"code": task.code},
                "portal:science-file": {"code": task.code, "pk": result.pk},
                "portal:cover-image": {"name": cover.rsplit("/", 1)[-1]},
                "api:portal-article-detail": {"slug": article.slug},
                "api:portal-comment-create": {"slug": article.slug},
            }
        )

    @classmethod
    def _plans(cls):
        from cchc.plans.models import (
            LegalReview,
            ProcedureReview,
            QualityRecord,
            Regulation,
            TaskEvidence,
        )
        from cchc.plans.tests.factories import d, make_plan, make_task

        plan = make_plan(cls.agency, 2024, title=f"Kế hoạch {SECRET}")
        task = make_task(plan, cls.unit_a, deadline=d(2024, 3, 1), content=f"Việc {SECRET}")
        path = default_storage.save("tests/matrix/bien-ban.pdf", ContentFile(b"%PDF-1.4\n"))
        evidence = TaskEvidence.objects.create(
            task=task, path=path, original_name="bb.pdf", mime="application/pdf", size=9
        )
        regulation = Regulation.objects.create(
            agency=cls.agency,
            kind="working_rules",
            number="01/QC",
            title=f"Quy chế {SECRET}",
            issued_on=d(2024, 1, 2),
            valid_from=d(2024, 1, 2),
            file_path=path,
            file_name="qc.pdf",
        )
        legal = LegalReview.objects.create(
            agency=cls.agency, review_year=2024, doc_type="QĐ", title=f"VB {SECRET}",
            issuer="UBND", result="amend",
        )  # fmt: skip
        procedure = ProcedureReview.objects.create(
            agency=cls.agency, review_year=2024, procedure_name=f"TT {SECRET}", proposal="publish"
        )
        quality = QualityRecord.objects.create(
            agency=cls.agency, body_name=f"Sở {SECRET}", body_type="other", standard="2015"
        )
        cls.kwargs.update(
            {
                "plans:regulation-edit": {"pk": regulation.pk},
                "plans:legal-review-edit": {"pk": legal.pk},
                "plans:procedure-review-edit": {"pk": procedure.pk},
                "plans:quality-edit": {"pk": quality.pk},
                "api:plans-regulation-detail": {"pk": regulation.pk},
                "api:plans-legal-review-detail": {"pk": legal.pk},
                "api:plans-procedure-review-detail": {"pk": procedure.pk},
                "api:plans-quality-record-detail": {"pk": quality.pk},
                "plans:plan-detail": {"pk": plan.pk},
                "plans:plan-export": {"pk": plan.pk},
                "plans:plan-import": {"pk": plan.pk},
                "plans:task-create": {"pk": plan.pk},
                "plans:task-detail": {"pk": task.pk},
                "plans:task-evidence": {"pk": task.pk},
                "plans:task-evidence-download": {"pk": task.pk, "evidence_pk": evidence.pk},
                "plans:regulation-download": {"pk": regulation.pk},
                "api:plans-plan-detail": {"pk": plan.pk},
                "api:plans-task-list": {"plan_pk": plan.pk},
                "api:plans-task-import": {"plan_pk": plan.pk},
                "api:plans-task-detail": {"pk": task.pk},
                "plans:task-action": {"pk": task.pk, "action": "start"},
                "api:plans-task-action": {"pk": task.pk, "action": "start"},
            }
        )

    @classmethod
    def _records(cls):
        from cchc.records.tests.factories import one_of_each

        records = one_of_each(cls.agency, cls.unit_a, text=SECRET)
        staffing = records["bien-che"]
        for name in ("records:list", "records:create", "records:import", "records:template"):
            cls.kwargs[name] = {"kind": "bien-che"}
        for name in ("records:edit", "records:delete"):
            cls.kwargs[name] = {"kind": "bien-che", "pk": staffing.pk}
        cls.kwargs["api:records-list"] = {"kind": "bien-che"}
        cls.kwargs["api:records-import"] = {"kind": "bien-che"}
        cls.kwargs["api:records-detail"] = {"kind": "bien-che", "pk": staffing.pk}

    @classmethod
    def _reports(cls):
        import datetime as dt

        from cchc.reports import services

        report = services.report_create(
            actor=cls.agency_leader,
            agency=cls.agency,
            year=2024,
            as_of=dt.date(2024, 12, 31),
            number=5,
            issued_on=dt.date(2025, 1, 5),
            signer_name=f"Nguyễn {SECRET}",
            recipients="UBND tỉnh",
        )
        path = default_storage.save("tests/matrix/bao-cao.pdf", ContentFile(b"%PDF-1.4\n"))
        type(report).objects.filter(pk=report.pk).update(pdf_path=path)
        cls.kwargs.update(
            {
                "reports:report-detail": {"pk": report.pk},
                "reports:report-generate": {"pk": report.pk},
                "reports:report-progress": {"pk": report.pk},
                "reports:report-download": {"pk": report.pk, "fmt": "pdf"},
                "api:reports-report-detail": {"pk": report.pk},
                "api:reports-report-generate": {"pk": report.pk},
                "api:reports-report-download": {"pk": report.pk, "fmt": "pdf"},
            }
        )

    @classmethod
    def _nationalportal(cls):
        from cchc.dossiers.models import Dossier
        from cchc.nationalportal.models import OutboxMessage
        from cchc.nationalportal.payload import file_token

        dossier = Dossier.objects.get(code=cls.kwargs["dossiers:dossier-detail"]["code"])
        failed = OutboxMessage.objects.create(
            agency=cls.agency,
            dossier=dossier,
            service="DongBoHoSoMC",
            event="receive",
            state=OutboxMessage.State.FAILED,
            attempts=1,
            last_error="Zyx",
            created_at=dossier.submitted_at,
        )
        cls.kwargs.update(
            {
                "nationalportal:dossier-sync-log": {"code": dossier.code},
                "nationalportal:retry": {"pk": failed.pk},
                "nationalportal:public-file": {"token": file_token(dossier.files.get().pk)},
            }
        )

    # --- the walk -------------------------------------------------------------------------

    def outcome(self, response) -> str:
        if response.status_code in (301, 302, 303, 307, 308):
            location = response.headers.get("Location", "")
            login = resolve_url(settings.LOGIN_URL)
            return "login" if location.startswith(login) else "302"
        return str(response.status_code)

    def request(self, method: str, url: str):
        cache.clear()  # rate limits and page caches must not leak from one cell to the next
        if method in ("patch", "delete"):
            return getattr(self.client, method)(url, data={}, content_type="application/json")
        return getattr(self.client, method)(url)

    def methods_of(self, name: str) -> list[str]:
        """GET and POST always; PATCH, PUT and DELETE where the (API) view defines them."""
        view = resolve(reverse(name, kwargs=self.kwargs.get(name))).func
        view_class = getattr(view, "view_class", None) or getattr(view, "cls", None)
        extra = [m for m in ("patch", "put", "delete") if hasattr(view_class, m)]
        return ["get", "post", *extra]

    def test_every_role_of_the_table_has_a_persona_in_the_other_agency(self):
        ours = {c for c in COLUMNS if c not in OUTSIDERS}
        roles = lambda names: set().union(*(self.persona(n).roles() for n in names))  # noqa: E731
        self.assertLessEqual(roles(ours), roles(OTHER_AGENCY))
        for name in OTHER_AGENCY:
            self.assertNotEqual(self.persona(name).agency, self.agency, name)
        column = {c: i for i, c in enumerate(COLUMNS)}
        writes = [
            (name, method, persona)
            for name, row in ROWS.items()
            for method, line in row.items()
            for persona in OTHER_AGENCY
            if line.split()[column[persona]].endswith("!")
        ]
        self.assertEqual(writes, [], "a persona of another agency may write")

    def test_every_url_and_persona_matches_the_table(self):
        names = sorted(set(url_names())) + ["admin:index"]
        printing = os.environ.get("MATRIX_PRINT") == "1"
        problems = [
            f"{name}: no row in the permission matrix" for name in names if name not in ROWS
        ]
        problems += [f"{name}: row for no URL pattern" for name in ROWS if name not in names]
        for name in names:
            if name in ROWS and sorted(ROWS[name]) != sorted(self.methods_of(name)):
                problems.append(
                    f"{name}: row has {sorted(ROWS[name])}, view answers {self.methods_of(name)}"
                )
        if not printing:
            self.assertEqual(problems, [], "\n".join(problems))
        baseline = fingerprint()
        failures, cells, started = [], 0, time.monotonic()
        plan = []  # (name, url, method, expected outcomes)
        for name in names:
            url = reverse(name, kwargs=self.kwargs.get(name))
            row = ROWS.get(name) or dict.fromkeys(self.methods_of(name), PUBLIC)
            for method, expected_line in row.items():
                expected = expected_line.split()
                self.assertEqual(len(expected), len(COLUMNS), (name, method))
                plan.append((name, url, method, expected))
        observed = {(name, method): [] for name, _url, method, _e in plan}
        # One sign-in per persona: every request is rolled back (the session row too), and a
        # request that replaced the session cookie (logging out) gets the old cookie back.
        for column, persona in enumerate(COLUMNS):
            self.login_as(persona)
            session_cookie = self.client.cookies.get(settings.SESSION_COOKIE_NAME)
            for name, url, method, expected in plan:
                want = expected[column]
                may_write = want.endswith("!")
                want = want.rstrip("!")
                with transaction.atomic():
                    response = self.request(method, url)
                    got = self.outcome(response)
                    body = b"" if response.streaming else response.content
                    # A 405 is answered before the view runs: nothing to compare.
                    changed = method != "get" and got != "405" and fingerprint() != baseline
                    transaction.set_rollback(True)
                if session_cookie is not None:
                    self.client.cookies[settings.SESSION_COOKIE_NAME] = session_cookie.value
                cells += 1
                observed[(name, method)].append(got + ("!" if changed else ""))
                where = f"{method.upper()} {name} ({url}) as {persona}"
                if persona in OUTSIDERS and SECRET.encode() in body:
                    failures.append(f"{where}: shows a non-public record of the agency")
                if got != want:
                    failures.append(f"{where}: {got}, expected {want}")
                if changed and not may_write:
                    failures.append(f"{where}: changed the database")
                if may_write and not changed:
                    failures.append(f"{where}: expected a write, the database is unchanged")
        if printing:
            rows = {}
            for (name, method), outcomes in observed.items():
                rows.setdefault(name, []).append(f'"{method}": "{" ".join(outcomes)}"')
            for name, cells_of_row in rows.items():
                sys.stderr.write(f'    "{name}": {{{", ".join(cells_of_row)}}},\n')
        self.assertGreater(cells, len(COLUMNS) * 2 * 140)
        sys.stderr.write(f"permission matrix: {cells} cells in {time.monotonic() - started:.1f}s\n")
        self.assertEqual(failures, [], "\n".join(failures))
