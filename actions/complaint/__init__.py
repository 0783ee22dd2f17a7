"""Complaints (PRODUCT.md §3.2): the forms, filing, and leaving a form half-way.

Thin adapters over bot/complaints/.
"""
