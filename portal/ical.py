"""iCalendar (RFC 5545) files for activities and meetings, so phones can add them."""

from portal.timeutil import utcnow

LINE_LIMIT = 75  # octets, before a line must be folded


def _escape(text):
    return (text or "").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,") \
        .replace("\r\n", "\\n").replace("\n", "\\n")


def _fold(line):
    """Split a content line into 75-octet pieces without cutting a UTF-8 character."""
    pieces, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (LINE_LIMIT if not pieces else LINE_LIMIT - 1):
            pieces.append(current)
            current = b""
        current += encoded
    pieces.append(current)
    return "\r\n ".join(piece.decode() for piece in pieces)


def _stamp(moment):
    return moment.strftime("%Y%m%dT%H%M%SZ")


def calendar(events, name):
    """Return an .ics text for ``events``: dicts with uid, starts_at and ends_at (naive UTC),
    summary, and optionally description, location, url, sequence (how many times it was
    changed: calendars replace an event with a higher one) and status (CONFIRMED,
    CANCELLED)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Linli//Community portal//ZH",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", f"X-WR-CALNAME:{_escape(name)}"]
    now = _stamp(utcnow())
    for event in events:
        lines += ["BEGIN:VEVENT", f"UID:{event['uid']}", f"DTSTAMP:{now}",
                  f"SEQUENCE:{int(event.get('sequence', 0))}",
                  f"DTSTART:{_stamp(event['starts_at'])}", f"DTEND:{_stamp(event['ends_at'])}",
                  f"SUMMARY:{_escape(event['summary'])}"]
        for field in ("description", "location"):
            if event.get(field):
                lines.append(f"{field.upper()}:{_escape(event[field])}")
        if event.get("url"):
            lines.append(f"URL:{event['url']}")
        if event.get("status") in ("CONFIRMED", "TENTATIVE", "CANCELLED"):
            lines.append(f"STATUS:{event['status']}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
