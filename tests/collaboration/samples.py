"""Isolation samples: each builder creates an object of the victim partner only (see tests/isolation.py)."""

import tempfile

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from portal.collaboration import services
from portal.collaboration.notes.models import ProjectNote
from tenants.choices import Role

from .factories import listing_for, product_for, project_for

PDF = b"%PDF-1.4 victim evidence\n%%EOF"
# The walker's sample documents go to a scratch folder (only this storage reads the setting).
settings.COLLABORATION_DOCUMENTS_ROOT = tempfile.mkdtemp(prefix="collaboration-isolation-")


def _project(partner):
    return {"pk": project_for(partner, title="Victim project").pk}


def _document(partner):
    project = project_for(partner, title="Victim project")
    document = services.document_upload(
        project=project,
        partner=partner,
        role=Role.MEMBER,
        user=None,
        file=SimpleUploadedFile("victim.pdf", PDF, content_type="application/pdf"),
    )
    return {"pk": document.pk}


def _note(partner):
    project = project_for(partner, title="Victim project")
    with schema_context(partner.schema_name):
        note = ProjectNote.objects.create(project_id=project.pk, text="victim note")
    return {"pk": project.pk, "note_pk": note.pk}


def _milestone(partner):
    import datetime

    project = project_for(partner, title="Victim project")
    milestone = services.milestone_create(
        project=project,
        partner=partner,
        role=Role.MEMBER,
        user=None,
        title="Victim milestone",
        due_date=datetime.date(2027, 1, 1),
    )
    return {"pk": milestone.pk}


def _milestone_page(partner):
    import datetime

    project = project_for(partner, title="Victim project")
    milestone = services.milestone_create(
        project=project,
        partner=partner,
        role=Role.MEMBER,
        user=None,
        title="Victim milestone",
        due_date=datetime.date(2027, 1, 1),
    )
    return {"pk": project.pk, "milestone_pk": milestone.pk}


SAMPLES = {
    "collaboration:milestone-done": _milestone_page,
    **{
        f"collaboration:{name}": _project
        for name in [
            "project-detail",
            "project-edit",
            "project-transition",
            "participant-invite",
            "participant-respond",
            "milestone-create",
            "document-upload",
            "note-create",
        ]
    },
    "collaboration:note-delete": _note,
    "collaboration:document-download": _document,
    "collaboration:listing-detail": lambda partner: {"pk": listing_for(partner).pk},
    "collaboration:listing-accept": lambda partner: {"pk": listing_for(partner).pk},
    "collaboration:listing-close": lambda partner: {"pk": listing_for(partner).pk},
    **{
        f"v1:project-{name}": _project
        for name in ["detail", "transition", "invite", "accept", "decline", "leave", "timeline"]
    },
    "v1:milestone-detail": _milestone,
    "v1:product-detail": lambda partner: {"pk": product_for(partner).pk},
    "v1:listing-detail": lambda partner: {"pk": listing_for(partner).pk},
    "v1:listing-suggestions": lambda partner: {"pk": listing_for(partner).pk},
    "v1:listing-accept": lambda partner: {"pk": listing_for(partner).pk},
}


def _plant(partner) -> list[str]:
    """A project only this partner takes part in, with a milestone, a document and a private note."""
    import datetime

    slug = partner.schema_name
    project = services.project_create(
        partner=partner,
        role=Role.MANAGER,
        user=None,
        title=f"SECRET-{slug}-project",
        summary=f"SECRET-{slug}-summary",
    )
    services.milestone_create(
        project=project,
        partner=partner,
        role=Role.MEMBER,
        user=None,
        title=f"SECRET-{slug}-milestone",
        due_date=datetime.date(2027, 1, 1),
    )
    services.document_upload(
        project=project,
        partner=partner,
        role=Role.MEMBER,
        user=None,
        file=SimpleUploadedFile(f"SECRET-{slug}-evidence.pdf", PDF, content_type="application/pdf"),
    )
    with schema_context(partner.schema_name):
        ProjectNote.objects.create(project_id=project.pk, text=f"SECRET-{slug}-note")
    return [
        project.title,
        project.summary,
        f"SECRET-{slug}-milestone",
        f"SECRET-{slug}-evidence",
        f"SECRET-{slug}-note",
    ]


PLANTS = [_plant]
# The market (needs and offers) and the product catalogue are read by every partner of the alliance.
SHARED = {
    "collaboration:listing-detail": {"get"},
    "v1:listing-detail": {"get"},
    "v1:listing-suggestions": {"get"},
    "v1:product-detail": {"get"},
}
