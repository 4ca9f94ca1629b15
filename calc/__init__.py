"""Wegbilanz calculation engine: plain Python and DuckDB, usable without the app."""
