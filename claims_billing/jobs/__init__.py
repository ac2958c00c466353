"""Scheduled and button-started jobs. They only put steps in order; the steps live elsewhere."""
