"""The policy page, the nightly run log and notifications."""
