"""Years the product keeps records for (2000..2100), shared by every app that files by year:
model validators, the matching database constraint and the reading of a `?year=` parameter."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

FIRST_YEAR, LAST_YEAR = 2000, 2100

# A form or API call outside these years gets a field error.
YEAR_VALIDATORS = [
    MinValueValidator(FIRST_YEAR, _("Năm phải từ 2000 trở đi.")),
    MaxValueValidator(LAST_YEAR, _("Năm không được sau năm 2100.")),
]


def year_range(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__gte": FIRST_YEAR, f"{field}__lte": LAST_YEAR}),
        name=name,
        violation_error_message=_("Năm phải từ 2000 đến 2100."),
    )


def parse_year(text: str, *, last: int = LAST_YEAR) -> int | None:
    """A year 2000..last from a query parameter, else None ("²" and "99999999999" included)."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        return None
    return int(text) if FIRST_YEAR <= int(text) <= last else None


def parse_ids(text: str) -> list[int]:
    """Record ids from "1,2,3": anything else, or too large for the database, is left out."""
    parts = (p.strip() for p in (text or "").split(","))
    return [int(p) for p in parts if p.isascii() and p.isdigit() and len(p) <= 9]
