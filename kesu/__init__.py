"""Kesu (客诉): customer-complaint and service-quality management."""

__version__ = "0.1.0"
