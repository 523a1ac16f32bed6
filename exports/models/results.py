"""Aggregate results of an edition, computed in the database and cached."""
