"""Files PerDiem writes from read objects: tables, PDF packets, CMS-1500 forms, 837P, CSV."""
