"""Our own locations (branches, warehouses, representative offices): "our presence" in DOMAIN §6."""
