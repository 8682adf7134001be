"""A person's agenda as an iCalendar file (RFC 5545), written by hand: a few fields, no dependency."""

import datetime

from django.utils import timezone

from .choices import MeetingStatus


def _escape(text: str) -> str:
    text = str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n")


def _stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets continue on the next line after a space."""
    out, data = [], line.encode()
    while len(data) > 75:
        cut = 75
        while (data[cut] & 0xC0) == 0x80:  # never inside a UTF-8 character
            cut -= 1
        out.append(data[:cut].decode())
        data = b" " + data[cut:]
    out.append(data.decode())
    return out


def agenda_ics(*, event, meetings, sessions, host: str, now: datetime.datetime | None = None) -> str:
    """VCALENDAR with one VEVENT per placed meeting (cancelled ones left out) and per programme session."""
    stamp = _stamp(now or timezone.now())
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Alliance Portal//Events//EN", "CALSCALE:GREGORIAN"]
    lines.append(f"X-WR-CALNAME:{_escape(event.name)}")
    for meeting in meetings:
        if not meeting.slot_id or meeting.status == MeetingStatus.CANCELLED:
            continue
        request = meeting.request
        summary = f"{request.requester.name} / {request.recipient.name}"
        where = f"{event.venue or event.city}, {meeting.table.name if meeting.table_id else ''}".strip(", ")
        lines += [
            "BEGIN:VEVENT",
            f"UID:event-{event.pk}-meeting-{meeting.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_stamp(meeting.slot.starts_at)}",
            f"DTEND:{_stamp(meeting.slot.ends_at)}",
            f"SUMMARY:{_escape(summary)}",
            f"LOCATION:{_escape(where)}",
            "END:VEVENT",
        ]
    for session in sessions:
        lines += [
            "BEGIN:VEVENT",
            f"UID:event-{event.pk}-session-{session.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_stamp(session.starts_at)}",
            f"DTEND:{_stamp(session.ends_at)}",
            f"SUMMARY:{_escape(session.title)}",
            f"LOCATION:{_escape(session.room or event.venue)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(part for line in lines for part in _fold(line)) + "\r\n"
