"""Tests of models/records: services, versioning and voids."""
