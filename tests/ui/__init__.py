"""GUI tests through pytest-qt: real widgets, clicked and typed into."""
