"""The segmentation parts of the client card: potential table, segments, key status, tier override."""
