from django.http import Http404

from cchc.core.models import User
from cchc.core.permissions import (
    audit_for_user,
    get_audit_entry_for_user,
    get_member_for_user,
    get_object_for_user,
    get_unit_for_user,
    scope_filter,
)
from cchc.core.services import audit_record
from cchc.core.testing import PERSONAS, PersonaTestCase


class MemberVisibilityTests(PersonaTestCase):
    """get_member_for_user: who sees which staff account (unit scope, agency-wide roles)."""

    EXPECTED = {
        # persona: the accounts whose record they may open
        "officer_a": {"officer_a", "leader_a"},
        "leader_a": {"officer_a", "leader_a"},
        "officer_b": {"officer_b"},
        "agency_leader": {"officer_a", "leader_a", "officer_b", "agency_leader"},
        "outsider": {"outsider"},
        "citizen": set(),
        "anonymous": set(),
    }

    def test_every_persona_sees_exactly_its_scope(self):
        from django.contrib.auth.models import AnonymousUser

        targets = ["officer_a", "leader_a", "officer_b", "agency_leader", "outsider", "citizen"]
        for persona in PERSONAS:
            viewer = self.persona(persona) or AnonymousUser()
            for target in targets:
                with self.subTest(viewer=persona, target=target):
                    target_user = getattr(self, target)
                    if target in self.EXPECTED[persona]:
                        self.assertEqual(get_member_for_user(viewer, target_user.pk), target_user)
                    else:
                        with self.assertRaises(Http404):
                            get_member_for_user(viewer, target_user.pk)

    def test_owner_field_lets_a_citizen_see_what_they_own(self):
        qs = User.objects.all()
        own = get_object_for_user(
            qs, self.citizen, unit_field="unit", owner_field="pk", pk=self.citizen.pk
        )
        self.assertEqual(own, self.citizen)
        with self.assertRaises(Http404):
            get_object_for_user(
                qs, self.citizen, unit_field="unit", owner_field="pk", pk=self.officer_a.pk
            )

    def test_inactive_accounts_see_nothing(self):
        self.officer_a.is_active = False
        self.assertIsNone(scope_filter(self.officer_a, unit_field="unit"))

    def test_a_superuser_sees_everything(self):
        self.citizen.is_superuser = True
        self.assertEqual(get_member_for_user(self.citizen, self.outsider.pk), self.outsider)


class UnitVisibilityTests(PersonaTestCase):
    def test_staff_see_the_units_of_their_own_agency_only(self):
        for persona in ("officer_a", "leader_a", "officer_b", "agency_leader"):
            with self.subTest(persona=persona):
                self.assertEqual(
                    get_unit_for_user(self.persona(persona), self.unit_b.pk), self.unit_b
                )
                with self.assertRaises(Http404):
                    get_unit_for_user(self.persona(persona), self.other_unit.pk)
        for persona in ("citizen", "outsider"):
            with self.subTest(persona=persona), self.assertRaises(Http404):
                get_unit_for_user(self.persona(persona), self.unit_a.pk)


class AuditVisibilityTests(PersonaTestCase):
    def test_only_agency_wide_roles_read_their_agency_log(self):
        entry = audit_record(
            actor=self.officer_a, obj=self.unit_a, action="rename", agency=self.agency
        )
        self.assertEqual(get_audit_entry_for_user(self.agency_leader, entry.pk), entry)
        for persona in ("officer_a", "leader_a", "officer_b", "outsider", "citizen"):
            with self.subTest(persona=persona), self.assertRaises(Http404):
                get_audit_entry_for_user(self.persona(persona), entry.pk)
        self.assertEqual(list(audit_for_user(self.outsider)), [])
