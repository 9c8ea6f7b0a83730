"""Claim files: 837P, CMS-1500, CSV and where they are written."""
