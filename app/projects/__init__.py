"""Delivering funded projects: agreements, milestones with evidence, due dates and publication."""
