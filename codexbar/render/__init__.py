"""Renderers: payload dicts (CodexBar's JSON shape) → SwiftBar lines, terminal text, JSON."""
