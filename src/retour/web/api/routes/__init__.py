"""Route modules of the JSON API; each route parses, calls one service, renders."""
