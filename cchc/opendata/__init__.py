"""Open data: aggregated, already-public datasets as CSV and JSON with a DCAT-style catalogue."""
