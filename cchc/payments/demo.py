"""Demo: the fee lines of the demo dossiers that owed a fee, paid when the dossier was
decided; most online dossiers paid on the national payment platform. Safe to run again."""

import random

from django.utils.translation import gettext as _

from cchc.dossiers.models import Channel, Dossier, FeeLine, PaidOnline


def load(stdout=None) -> dict:
    rng = random.Random(766)
    owed = (
        Dossier.objects.filter(agency__code="SKHCN", fee_amount__gt=0, fees__isnull=True)
        .select_related("procedure")
        .order_by("id")
    )
    lines, paid_online = [], {PaidOnline.NATIONAL: [], PaidOnline.NOT_ONLINE: []}
    for dossier in owed:
        paid = dossier.decided_at
        how = (
            PaidOnline.NATIONAL
            if dossier.channel == Channel.ONLINE and rng.random() < 0.6
            else PaidOnline.NOT_ONLINE
        )
        lines.append(
            FeeLine(
                dossier=dossier,
                kind=FeeLine.Kind.CHARGE,
                code=dossier.procedure.code,
                name=(dossier.procedure.fee_text or _("Lệ phí giải quyết thủ tục hành chính"))[
                    :300
                ],
                amount=dossier.fee_amount,
                paid_at=paid,
                paid_online=how if paid else PaidOnline.NOT_ONLINE,
            )
        )
        paid_online[how if paid else PaidOnline.NOT_ONLINE].append(dossier.pk)
    FeeLine.objects.bulk_create(lines, batch_size=1000)
    for how, ids in paid_online.items():
        Dossier.objects.filter(pk__in=ids).update(paid_online=how)
    return {"fee_lines": len(lines), "paid_online": len(paid_online[PaidOnline.NATIONAL])}
