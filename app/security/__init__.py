"""Roles as data, their sync, and the security manager."""
