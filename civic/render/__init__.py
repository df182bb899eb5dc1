"""Rendering HTML to print files (PDF, PNG) with the local Chromium."""
