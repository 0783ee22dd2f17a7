"""Complaints about service (PRODUCT.md §3.2): filing, extraction, escalation."""
