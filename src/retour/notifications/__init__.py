"""E-mail notifications: default and merchant templates, rendering, sending, the daily digest.

The outbox (`retour.db.repositories.outbox`) decides which e-mails an event calls for; this
package turns one such delivery into a message — context from the database, a template in the
store's language rendered in a sandbox — and sends it by SMTP or writes it as an `.eml` file.
"""
