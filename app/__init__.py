"""Stepwise: a web playground that shows how a machine learns."""

__version__ = "0.1.0"
