"""Tests of ui/billing: the billing calendar and the month view."""
