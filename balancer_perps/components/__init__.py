"""Reusable UI pieces: plain functions that return components."""
