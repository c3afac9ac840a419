"""Plain-Python rules of the pipeline: no Textual, no SQLAlchemy."""
