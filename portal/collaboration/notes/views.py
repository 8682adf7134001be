"""Private notes on a project page (partner hosts only)."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import services
from .models import ProjectNote


class NoteForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Private note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


@require_POST
def note_create(request, pk: int):
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A note needs some text (at most 5,000 characters)."))
    else:
        services.note_create(
            partner=request.tenant,
            role=request.membership.role,
            user=request.user,
            project_id=pk,
            text=form.cleaned_data["text"],
        )
        messages.success(request, _("Note saved."))
    return redirect("collaboration:project-detail", pk=pk)


@require_POST
def note_delete(request, pk: int, note_pk: int):
    note = get_object_or_404(ProjectNote, pk=note_pk, project_id=pk)
    services.note_delete(note=note, role=request.membership.role, user=request.user)
    return redirect("collaboration:project-detail", pk=pk)
