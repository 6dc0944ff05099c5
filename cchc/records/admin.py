from django.contrib import admin

from cchc.records.kinds import KINDS

for _kind in KINDS:
    admin.site.register(
        _kind.model,
        type(
            f"{_kind.model.__name__}Admin",
            (admin.ModelAdmin,),
            {
                "list_display": ("__str__", "agency"),
                "list_filter": ("agency",),
                "raw_id_fields": ("unit",) if _kind.has_unit else (),
            },
        ),
    )
