"""Declared transitions of a record with a status: one table per kind of record.

Each `Transition` says from which states it starts, which state it reaches, who may do it
(a function naming the reason when the person may not: role, unit or agency scope, "is the
person the step names"), further conditions on the record, the audit action, the notice sent
after commit, its Vietnamese label and its one slug. The same `Workflow` table then drives:

- the service functions (`flow.check(slug, actor, obj)` under the row lock, `flow[slug].target`),
- the buttons a person sees and the API's list of available actions (`flow.available`),
- one dispatch table shared by the pages and the API (`flow.run(slug, actor, obj, data)`, with
  the input validated by the transition's form in both).

A small table rather than django-fsm-2: our transitions need the person and the record together
(the step's unit and role, the assigned handler), a reason in Vietnamese when refused, and
the row lock taken by the service before the check; django-fsm's decorators check the state
of the object already in memory and answer only allowed / not allowed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _


class TransitionError(ValidationError):
    """Not allowed from the record's current state (409 in the API)."""


class StaleError(TransitionError):
    """The record moved on since the person loaded it (409 in the API)."""


# who(actor, obj) and condition(obj) return the reason, in Vietnamese, when refused; else None.
Who = Callable[[Any, Any], "str | None"]
Condition = Callable[[Any], "str | None"]


@dataclass(frozen=True)
class Transition:
    slug: str
    label: Any
    sources: frozenset
    target: Any = None  # None: the service decides (several possible states)
    who: Who | None = None
    condition: Condition | None = None
    audit: str = ""
    notice: str = ""
    service: str = ""  # dotted path of the service function: (actor=, <record>=, **data)
    form: str = ""  # dotted path of the form validating the input (pages and API)
    button_class: str = ""
    extra: dict = field(default_factory=dict)


class Workflow:
    def __init__(self, transitions: Iterable[Transition], *, state: str = "status", record: str):
        self.transitions = {t.slug: t for t in transitions}
        self.state = state
        self.record = record  # the keyword the services take the record by

    def __iter__(self):
        return iter(self.transitions.values())

    def __contains__(self, slug) -> bool:
        return slug in self.transitions

    def __getitem__(self, slug) -> Transition:
        return self.transitions[slug]

    def refusal(self, slug: str, actor, obj) -> tuple[str, str] | None:
        """("state" | "who" | "condition", reason) when `actor` may not do it now, else None."""
        transition = self.transitions[slug]
        state = getattr(obj, self.state)
        if state not in transition.sources:
            display = getattr(obj, f"get_{self.state}_display", lambda: state)()
            return "state", _(
                "Không thể “%(action)s”: %(record)s đang ở trạng thái “%(state)s”."
            ) % {"action": transition.label, "record": obj, "state": display}
        if actor is None or not actor.is_authenticated:
            return "who", _("Bạn cần đăng nhập.")
        if transition.who is not None and (reason := transition.who(actor, obj)):
            return "who", reason
        if transition.condition is not None and (reason := transition.condition(obj)):
            return "condition", reason
        return None

    def check(self, slug: str, actor, obj) -> Transition:
        """Raise TransitionError (state, condition) or PermissionDenied (who) with the reason."""
        refused = self.refusal(slug, actor, obj)
        if refused is not None:
            kind, reason = refused
            if kind == "who":
                raise PermissionDenied(reason)
            raise TransitionError(reason, code="conflict")
        return self.transitions[slug]

    def available(self, actor, obj) -> list[Transition]:
        return [t for t in self if self.refusal(t.slug, actor, obj) is None]

    def startable(self, obj) -> list[Transition]:
        """The transitions the record's state allows, whoever asks."""
        return [t for t in self if getattr(obj, self.state) in t.sources]

    def form_class(self, slug: str):
        path = self.transitions[slug].form
        return import_string(path) if path else None

    def run(self, slug: str, actor, obj, data: dict):
        """Dispatch to the transition's service (the one table of pages and API)."""
        service = import_string(self.transitions[slug].service)
        return service(actor=actor, **{self.record: obj}, **data)
