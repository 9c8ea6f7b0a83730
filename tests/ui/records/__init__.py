"""Tests of ui/records and ui/forms: patient list, record tabs, forms, history."""
