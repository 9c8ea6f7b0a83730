"""Tests of models/billing: the rules R1-R18 and windowed loading."""
