"""Emails: rendered from events (render.py, pure), signed unsubscribe links (unsubscribe.py),
sent through Amazon SES v2 and, locally, written to the outbox (send.py).

Nothing is imported here: a job imports the module it needs, and only that."""
