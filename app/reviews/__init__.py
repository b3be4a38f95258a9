"""Reviews: assignment, scoring, calibration and award suggestions."""
