"""Streamlit glue shared by the pages: database, cached computations, i18n, filters, charts."""
