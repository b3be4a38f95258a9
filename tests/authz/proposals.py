"""Authorization matrix rows for the proposals routes."""

ROWS = []
