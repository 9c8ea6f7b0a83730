"""Claims: drafts by R19-R23, their checks and the batches that record them."""
