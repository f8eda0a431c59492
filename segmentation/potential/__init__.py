"""The potential table (DOMAIN §5): estimates per product group, and the estimates to do."""
