"""Carriers behind one protocol: the built-in one (PDF/ZPL labels, QR drop-off, packing slips)."""
