"""What complaints and resignation requests share: references, look-up, life cycle."""
