"""The shopper portal's use cases: find an order, see what can go back, ask, follow, cancel."""
