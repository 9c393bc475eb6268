"""HTTP: the app factory, the JSON API, and (later) the portal and back office."""
