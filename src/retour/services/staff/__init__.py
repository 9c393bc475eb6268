"""Staff signing in and out of the back office, and what their sessions let them see."""
