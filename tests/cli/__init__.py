"""Tests of the command line (main.py), in process and in subprocesses."""
