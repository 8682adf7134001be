"""Template context: the bell's unread count, for members on a partner host (one COUNT, only when shown)."""

from .selectors import notice_unread_count


def inbox(request):
    """`inbox_unread`: the visitor's unread notices in this workspace, counted when the template reads it."""
    if getattr(request, "membership", None) is None:
        return {}
    return {"inbox_unread": lambda: notice_unread_count(user=request.user)}
