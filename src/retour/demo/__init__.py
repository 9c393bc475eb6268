"""The demo store: a deterministic apparel shop with two years of orders and returns."""
