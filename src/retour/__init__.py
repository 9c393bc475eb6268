"""Retour — an open-source, self-hosted Returns Management System."""

__version__ = "0.1.0"
