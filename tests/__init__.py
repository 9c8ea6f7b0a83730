"""PerDiem's test suite; its folders mirror the packages (models, reports, ui, cli)."""
