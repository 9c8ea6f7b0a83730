"""Billing windows: the calendar, the month view and the fixes they offer."""
