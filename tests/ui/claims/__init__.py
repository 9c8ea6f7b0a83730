"""Tests of ui/claims: claim drafts, packets and the billing menu."""
