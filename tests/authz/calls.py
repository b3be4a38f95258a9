"""Authorization matrix rows for the calls routes."""

ROWS = []
