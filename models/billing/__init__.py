"""Billing: the rules (R1-R18) and what they read."""
