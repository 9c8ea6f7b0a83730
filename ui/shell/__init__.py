"""The application shell: start-up, main window, context and background work."""
