"""Star levels (星级) from lifetime approved service hours."""

from portal.timebank.models import STAR_HOURS


def star_progress(service_minutes):
    """Return the star level, the hours served and what is left to the next star."""
    hours = service_minutes / 60
    stars = sum(1 for threshold in STAR_HOURS if hours >= threshold)
    next_at = STAR_HOURS[stars] if stars < len(STAR_HOURS) else None
    return {
        "stars": stars,
        "minutes": service_minutes,
        "next_at": next_at,
        "minutes_to_next": next_at * 60 - service_minutes if next_at else 0,
        # Share of the way from the last star to the next, for a progress bar (0–100).
        "percent": (100 if next_at is None else round(
            100 * (service_minutes - (STAR_HOURS[stars - 1] * 60 if stars else 0))
            / ((next_at - (STAR_HOURS[stars - 1] if stars else 0)) * 60))),
    }
