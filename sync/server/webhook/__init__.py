"""Outbound webhooks: the outbox written with each event (``outbox``), how a delivery is signed
(``signature``), and the worker that posts them (``dispatcher``)."""
