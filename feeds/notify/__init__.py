"""Alerts (#18): each topic tells its targets when something new matches, at once or as a
digest, each entry once per target.

- ``message``: a delivery as a message (title, plain text, HTML) and as the signed
  webhook's JSON body; pure.
- ``send``: the edge: Apprise for every service it knows, httpx for our own signed webhooks;
  each target in a thread of its own with a timeout, so a slow one holds up no other.
- ``flow``: after a publish, what is new for each target goes to the store's outbox
  (``feeds.store.protocols.NotifyStorage``) and what is due is sent; decisions are
  ``feeds.decide.notify``'s.
- ``health``: target failures as events of the health feed.

Must not import the ingest flow, run or cli.
"""
