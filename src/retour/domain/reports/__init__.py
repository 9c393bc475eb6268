"""Pure arithmetic of the reports: periods in a store's timezone, ranks, rates and the
anomaly test. No I/O."""
