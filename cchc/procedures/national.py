"""The national side of a local procedure: its mapped code and field code."""

from cchc.procedures.models import FieldMapping, NationalProcedure, Procedure


def national_for(procedure: Procedure) -> NationalProcedure | None:
    """The national catalogue entry mapped to the procedure's series, or None."""
    return (
        NationalProcedure.objects.filter(mapping__series=procedure.series)
        .only("code", "name", "field_code", "field_name", "result_code")
        .first()
    )


def field_code_for(procedure: Procedure) -> str:
    mapped = FieldMapping.objects.filter(field=procedure.field).values_list(
        "national_code", flat=True
    )
    return next(iter(mapped), "")
