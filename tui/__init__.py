"""督办台 (duban): offline supervision desk for offices of law-based governance."""

__version__ = "0.1.0"
