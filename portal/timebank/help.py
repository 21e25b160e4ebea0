"""Help between neighbours: a resident asks and offers hours, a volunteer of their community
offers to take it, the resident accepts that volunteer (only then do the two see each other's
full name and mobile number) or releases them, both confirm it was done, and only then do the
hours move (an exchange, and a service record)."""

from sqlalchemy import select, update

from portal import audit
from portal.accounts.permissions import can, organizations_where
from portal.extensions import db
from portal.places.models import Place, within
from portal.refusals import Refused
from portal.timebank import ledger
from portal.timebank.activities import is_volunteer, serves
from portal.timebank.logs import credit
from portal.timebank.models import HelpRequest, HourLog
from portal.timebank.wallet import may_spend_on_services


def ask(requester, title, minutes, details="", wanted_on=None, when_text=""):
    """Open a request for help in the requester's community."""
    community = requester.home_community
    if community is None:
        raise Refused("no_place")
    if not may_spend_on_services(requester):
        raise Refused("not_eligible")
    if ledger.balance(requester) < minutes:
        raise Refused("insufficient", field="hours")
    request = HelpRequest(requester=requester, community=community, title=title.strip(),
                          details=(details or "").strip(), minutes=minutes, wanted_on=wanted_on,
                          when_text=(when_text or "").strip())
    db.session.add(request)
    db.session.flush()
    audit.record("timebank.help.ask", request, actor=requester, minutes=minutes)
    return request


def open_near(courtyard):
    """Select open requests of the street around ``courtyard``, newest first."""
    query = select(HelpRequest).where(HelpRequest.status == "open")
    area = courtyard and (courtyard.ancestor("street") or courtyard.ancestor("community"))
    if area is not None:
        query = query.join(Place, HelpRequest.community_id == Place.id).where(within(area))
    return query.order_by(HelpRequest.created_at.desc())


def helps_in(user, community):
    """Whether ``user`` volunteers for ``community``: they live in it, hold the volunteer
    role there, or volunteer for or work at an organization serving it."""
    if community.contains(user.home_courtyard) or can(user, "volunteer", community):
        return True
    return any(serves(organization, community)
               for organization in organizations_where(user, ("volunteer", "org_staff")))


def is_asker(user, request):
    """The resident who asked: only they accept, release or withdraw (a 403 for anyone
    else, before any work)."""
    return user.is_authenticated and user.id == request.requester_id


def is_part_of(user, request):
    """The resident who asked or the volunteer who took it: only they confirm it was done."""
    return user.is_authenticated and user.id in (request.requester_id, request.helper_id)


def may_take(user, request):
    """A volunteer of the asker's community may offer to help (not the asker)."""
    return (user.is_authenticated and user.id != request.requester_id
            and is_volunteer(user) and helps_in(user, request.community))


def take(request, volunteer, now):
    """A volunteer of the asker's community offers to help; the first one gets it, and the
    asker then accepts them (or releases them)."""
    if not is_volunteer(volunteer):
        raise Refused("not_volunteer")
    if request.requester_id == volunteer.id:
        raise Refused("own_help")
    if not helps_in(volunteer, request.community):
        raise Refused("help_elsewhere", community=request.community.name)
    taken = db.session.execute(
        update(HelpRequest).where(HelpRequest.id == request.id, HelpRequest.status == "open")
        .values(status="taken", helper_id=volunteer.id, taken_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(request)
    if not taken:
        raise Refused("help_not_open")
    audit.record("timebank.help.take", request, actor=volunteer)
    return request


def _asker_only(request, user):
    if user.id != request.requester_id:
        raise Refused("not_part_of_help")
    if request.status == "open":
        raise Refused("help_not_taken")
    if request.status != "taken":
        raise Refused("help_closed")


def accept(request, user, now):
    """The resident accepts the volunteer who offered; now each sees the other's full name
    and mobile number, and both can say it is done."""
    _asker_only(request, user)
    accepted = db.session.execute(
        update(HelpRequest).where(HelpRequest.id == request.id, HelpRequest.status == "taken",
                                  HelpRequest.helper_id == request.helper_id,
                                  HelpRequest.accepted_at.is_(None))
        .values(accepted_at=now).execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(request)
    if accepted:
        audit.record("timebank.help.accept", request, actor=user, helper=request.helper_id)
    elif request.accepted_at is None:
        raise Refused("help_not_taken")
    return request


def release(request, user):
    """The resident lets the volunteer go (they did not come, or another suits better):
    the request is open again for other volunteers."""
    _asker_only(request, user)
    helper_id = request.helper_id
    released = db.session.execute(
        update(HelpRequest).where(HelpRequest.id == request.id, HelpRequest.status == "taken")
        .values(status="open", helper_id=None, taken_at=None, accepted_at=None,
                requester_confirmed_at=None, helper_confirmed_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(request)
    if not released:
        raise Refused("help_closed")
    audit.record("timebank.help.release", request, actor=user, helper=helper_id)
    return request


def confirm(request, user, now, today):
    """The resident or the volunteer says it was done; after both, the hours move."""
    if user.id not in (request.requester_id, request.helper_id):
        raise Refused("not_part_of_help")
    if request.status == "open":
        raise Refused("help_not_taken")
    if request.status != "taken":
        raise Refused("help_closed")
    if request.accepted_at is None:
        raise Refused("help_not_accepted")
    column = ("requester_confirmed_at" if user.id == request.requester_id
              else "helper_confirmed_at")
    # One statement, so two confirmations at the same moment still see each other.
    confirmed = db.session.execute(
        update(HelpRequest).where(HelpRequest.id == request.id, HelpRequest.status == "taken",
                                  HelpRequest.helper_id == request.helper_id,
                                  HelpRequest.accepted_at.is_not(None))
        .values({column: now})
        .returning(HelpRequest.requester_confirmed_at, HelpRequest.helper_confirmed_at)
        .execution_options(synchronize_session=False)
    ).first()
    db.session.refresh(request)
    if confirmed is None:
        raise Refused("help_closed")
    audit.record("timebank.help.confirm", request, actor=user)
    if all(confirmed):
        _complete(request, user, now, today)
    return request


def _complete(request, user, now, today):
    done = db.session.execute(
        update(HelpRequest).where(HelpRequest.id == request.id, HelpRequest.status == "taken")
        .values(status="done").execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        return
    log = HourLog(volunteer_id=request.helper_id, help_request_id=request.id,
                  neighbour_id=request.requester_id, community_id=request.community_id,
                  service_date=today, minutes=request.minutes, note=request.title[:200],
                  status="approved", decided_by_id=request.requester_id, decided_at=now,
                  created_at=now)
    db.session.add(log)
    db.session.flush()
    try:
        credit(log, user, kind="exchange",
               source=ledger.person_account(request.requester))
    except Refused as refused:
        if refused.reason == "insufficient":
            raise Refused("requester_short") from refused
        raise
    db.session.refresh(request)


def cancel(request, user):
    """The resident withdraws a request nobody has finished."""
    if user.id != request.requester_id:
        raise Refused("not_part_of_help")
    if request.status not in ("open", "taken"):
        raise Refused("help_closed")
    request.status = "cancelled"
    audit.record("timebank.help.cancel", request, actor=user)
    return request


def mine(user):
    """Select the requests ``user`` asked for or is helping with, newest first."""
    return (select(HelpRequest)
            .where((HelpRequest.requester_id == user.id) | (HelpRequest.helper_id == user.id))
            .order_by(HelpRequest.created_at.desc()))
