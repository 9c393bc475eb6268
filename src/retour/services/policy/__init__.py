"""The return policy wired to the store: versions, the engine's inputs from the database,
evaluation, return creation's use of it, and what-if simulation over history."""
