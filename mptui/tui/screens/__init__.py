"""Screens pushed over the dashboard: help, kill confirmation, lesson settings."""
