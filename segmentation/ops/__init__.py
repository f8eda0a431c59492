"""The admins' side of the engine: the policy page and the nightly runs log."""
