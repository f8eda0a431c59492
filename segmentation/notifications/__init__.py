"""Notifications of segment changes to the responsible manager, and the daily digest."""
