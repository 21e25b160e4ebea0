"""Demo data of the courtyards (being written)."""


def seed(world, password):
    """Add this part of the demo world."""
