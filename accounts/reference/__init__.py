"""Reference data admins keep in the app: product groups and industries (DOMAIN §1, Admin)."""
