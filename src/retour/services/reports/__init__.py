"""The reports (docs/metrics.md): each a few GROUP BY queries over one store's period."""
