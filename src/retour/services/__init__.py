"""Use cases: one function each, one transaction each, events written in that transaction."""
