"""Demo data for `manage.py seed_demo`: a supplier of industrial consumables and its Russian clients.

Every random choice comes from one `random.Random(seed)`, so a seed always gives the
same data; dates are relative to today. Rows go in with bulk_create. The card models
that keep history (client, point, contact, team member, touch, refusal) get their
"created" history row through bulk_create_with_history; the many-to-many links
(who knows whom, touch contacts and participants) have no history rows.

`content` holds the hand-made tables; `plans` decides what kind of client each one is;
`cards`, `activity` and `estimates` build the unsaved rows; `seed` writes them in order.

This is an installed app (it holds the command) and the one place allowed to import every
other app. Django imports this package before the models are ready, so it imports nothing:
use `kam.demo.seed.seed_demo` and `kam.demo.content.DEMO_USERS` directly.
"""
