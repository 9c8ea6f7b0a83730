"""Forms that enter and amend records."""
