"""codexbar: every AI-coding limit in the menu bar."""

__version__ = "0.1.0"
