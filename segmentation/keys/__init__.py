"""Key clients (DOMAIN §4) and tier overrides (§3): a director's decisions, candidates, the cap."""
