"""The demo agency and catalogue (accounts, units, procedures with their steps) for tests that
work dossiers as the demo's people would."""

from cchc.core import demo as core_demo
from cchc.core.models import User
from cchc.dossiers import services
from cchc.dossiers.tests.helpers import APPLICANT, pdf_upload
from cchc.procedures import demo as procedures_demo
from cchc.procedures.models import Procedure


def load_demo_catalogue() -> None:
    core_demo.load()
    procedures_demo.load()


def demo_user(username: str) -> User:
    return User.objects.get(username=username)


def workable_procedures():
    """Every procedure of the demo catalogue that takes dossiers (the others have no legal
    time yet, so filing is refused for them)."""
    return [
        p
        for p in Procedure.objects.current().prefetch_related("steps__unit", "components")
        if p.accepts_dossiers
    ]


def file_and_accept(procedure, *, desk=None, at=None):
    from cchc.core.models import Agency

    agency = Agency.objects.get(code="SKHCN")
    files = {f"component_{c.pk}": pdf_upload() for c in procedure.components.all()}
    dossier, _ = services.dossier_file_online(
        procedure=procedure, applicant=APPLICANT, files=files, agency=agency, at=at
    )
    return services.dossier_accept(actor=desk or demo_user("motcua"), dossier=dossier, at=at)
