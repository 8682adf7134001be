"""The inbox pages: a person's notices in this workspace, read marks, and preferences."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.core.lists import filtered_page

from .filters import NoticeFilterSet
from .forms import NoticePreferenceForm
from .selectors import notice_list, preference_get
from .services import notice_mark_all_read, notice_mark_read, preference_update

PER_PAGE = 25


@require_GET
def notice_list_page(request):
    """The person's notices, newest first, paged; unread ones stand out."""
    listing = filtered_page(request, NoticeFilterSet, notice_list(user=request.user), per_page=PER_PAGE)
    return render(
        request,
        "inbox/notice_list.html",
        {"filterset": listing.filterset, "page": listing.page, "query": listing.query_string},
    )


@require_POST
def notice_read(request, pk: int):
    """Mark one of the person's own notices read (another person's: 404), then open its page or go back."""
    notice = get_object_or_404(notice_list(user=request.user), pk=pk)
    notice_mark_read(notice=notice)
    if request.POST.get("open") and url_has_allowed_host_and_scheme(notice.url, allowed_hosts=None):
        return redirect(notice.url)
    return redirect(_back(request))


@require_POST
def notice_read_all(request):
    """Mark every unread notice of the person read."""
    count = notice_mark_all_read(user=request.user)
    messages.success(request, _("Every notice is marked read.") if count else _("Nothing was unread."))
    return redirect(_back(request))


def _back(request) -> str:
    back = request.POST.get("next", "")
    return (
        back if back.startswith("/inbox/") and url_has_allowed_host_and_scheme(back, allowed_hosts=None) else "/inbox/"
    )


@require_http_methods(["GET", "POST"])
def preference_edit(request):
    """Which kinds of notice the person wants, and by which e-mail (each notice, a daily digest, none)."""
    preference = preference_get(user=request.user)
    form = NoticePreferenceForm.for_preference(preference, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        preference_update(user=request.user, delivery=form.cleaned_data["delivery"], muted=form.muted)
        messages.success(request, _("Your notice preferences are saved."))
        return redirect("inbox:preferences")
    return render(request, "inbox/preferences.html", {"form": form})
