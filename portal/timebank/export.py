"""Service records (台账) for a community, an activity or a date range, as CSV (UTF-8 with a
byte-order mark, so spreadsheet programs open the Chinese correctly, streamed) or as an .xlsx
with real dates and hours as numbers. No cell a spreadsheet would run as a formula (names and
notes are typed by anyone): see portal/spreadsheet.py."""

import io

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.accounts.permissions import mask_mobile
from portal.extensions import db
from portal.places.models import Place, within
from portal.spreadsheet import csv_cell, csv_writer, xlsx_bytes
from portal.timebank.models import Activity, HourLog
from portal.timeutil import to_local

BATCH = 2000


def records_query(community=None, activity=None, first=None, last=None):
    query = (select(HourLog).join(Place, HourLog.community_id == Place.id)
             .options(joinedload(HourLog.volunteer), joinedload(HourLog.activity)
                      .joinedload(Activity.organization), joinedload(HourLog.neighbour),
                      joinedload(HourLog.decided_by), joinedload(HourLog.community)))
    if community is not None:
        query = query.where(within(community))
    if activity is not None:
        query = query.where(HourLog.activity_id == activity.id)
    if first is not None:
        query = query.where(HourLog.service_date >= first)
    if last is not None:
        query = query.where(HourLog.service_date <= last)
    return query.order_by(HourLog.service_date, HourLog.id)


def _row(log, full_mobiles):
    shown = (lambda mobile: mobile) if full_mobiles else mask_mobile
    if log.activity is not None:
        what = log.activity.title
    elif log.help_request_id:
        what = _("Help request: %(title)s", title=log.note)
    else:
        what = _("Helped a neighbour: %(name)s", name=log.neighbour.name if log.neighbour else "")
    decided_at = to_local(log.decided_at).replace(tzinfo=None) if log.decided_at else None
    return [log.service_date, log.volunteer.name, shown(log.volunteer.mobile), str(what),
            log.issuer_name, log.community.name, round(log.minutes / 60, 2), log.minutes,
            str(log.status_label), log.decided_by.name if log.decided_by else "", decided_at,
            log.reason or log.note]


def header():
    return [_("Date"), _("Volunteer"), _("Mobile number"), _("Service"), _("Organiser"),
            _("Community"), _("Hours"), _("Minutes"), _("Status"), _("Decided by"),
            _("Decided at"), _("Note")]


def _logs(query):
    return db.session.scalars(query.execution_options(yield_per=BATCH))


def rows_xlsx(query, full_mobiles):
    """The whole table as an .xlsx workbook."""
    return xlsx_bytes(_("Service records"), header(),
                      (_row(log, full_mobiles) for log in _logs(query)))


def rows_csv(query, full_mobiles):
    """Yield the CSV in pieces (a year of a street is many rows)."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header())
    for log in _logs(query):
        writer.writerow([csv_cell(value) for value in _row(log, full_mobiles)])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
