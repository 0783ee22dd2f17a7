"""Stopping participation (PRODUCT.md §3.1, §4): identity, registry, rules, requests."""
