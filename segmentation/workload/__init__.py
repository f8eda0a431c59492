"""Managers' workload (DOMAIN §4, §9): the key and small clients each one carries."""
