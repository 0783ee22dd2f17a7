"""Stopping participation online (PRODUCT.md §3.1), one module per concern.

slots (which questions), form (reading and checking answers), consent, identity
(reading numbers and dates), verify (registry and decision), decision (telling
it), filing (after the form), leaving (cancel, handoff, correction). Each is a thin
adapter over bot/resignation/.
"""
