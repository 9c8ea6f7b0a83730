"""Tests of reports/claims: 837P checked by pyx12, CMS-1500 and CSV."""
