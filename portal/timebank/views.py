from portal.timebank import bp  # noqa: F401  (views come next)
