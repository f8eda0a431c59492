"""Signals the apps above segmentation listen to, so segmentation never imports them."""

from django.dispatch import Signal

# Sent after a nightly run finished successfully and its segments are committed, with `run` (the
# NightlyRun) and `today` (the day it computed for). Receivers must be idempotent: a failed receiver
# is logged and the next run calls it again.
run_finished = Signal()

# Sent inside the transaction that moved clients between managers, with `reassignment` (the
# segmentation.Reassignment; its items name each client, its previous and its new manager).
# Receivers write what follows a move (the handover notes) set-based, in the same transaction.
clients_reassigned = Signal()
