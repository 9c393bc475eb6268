"""Exchanges and replacement claims: the replacement order a return becomes."""
