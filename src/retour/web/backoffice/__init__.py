"""The staff back office at /backoffice: server-rendered pages over the back-office services."""
