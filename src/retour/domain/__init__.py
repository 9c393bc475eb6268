"""Pure domain model: no I/O, no SQLAlchemy, no FastAPI."""
