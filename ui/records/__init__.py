"""Windows and tabs that list and show records."""
