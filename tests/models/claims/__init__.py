"""Tests of models/claims: claim drafts (R19-R23), batches and payer claim numbers."""
