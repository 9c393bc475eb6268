"""Repositories: load and save aggregates, translating rows to domain objects and back."""
