"""Unbilled services: capture from clinical documents, policy coverage and fee-schedule rates."""
