"""Dashboards: one panel per role, each answering "what needs me now" (see panels.build)."""
