"""The computed segments: one module per rule of DOMAIN.md, and the nightly engine that composes them.

abcd (§5), tiers (§3), leagues (§6, with expansion alerts), size_class (§9) and rhythm
(§10, lost clients) each hold their SQL, their policy parameters and their sentence;
wallet (the share of wallet), sql (the dialect seam) and words (number formats) are shared.
"""
