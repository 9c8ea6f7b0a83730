"""PerDiem's billing core: tables, rules and services, free of Qt and of ReportLab."""
