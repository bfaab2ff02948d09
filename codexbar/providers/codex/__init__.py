"""Codex (OpenAI ChatGPT plan): auth.json tokens and the `codex app-server` RPC (spec: providers/codex.md)."""

from codexbar.descriptor import Descriptor

DESCRIPTOR = Descriptor(
    id="codex",
    name="Codex",
    short_name="Codex",
    aliases=("openai",),
    window_labels=("Session", "Weekly", ""),
    pace_lanes=("session", "weekly", ""),
    origins=("https://chatgpt.com", "https://auth.openai.com", "https://api.openai.com"),
    source_modes=("auto", "oauth", "cli", "web", "api"),
    source_order={"plugin": ("oauth", "cli"), "cli": ("cli", "oauth")},
    dashboard_url="https://chatgpt.com/codex/settings/usage",
    status_url="https://status.openai.com/",
    status_api="https://status.openai.com",
    actions=(("Buy credits…", "https://chatgpt.com/codex/settings/usage"),),
    missing_hint="Sign in with `codex login` (Codex CLI).",
    default_enabled=True,
    detect_files=("~/.codex/auth.json",),
    detect_binaries=("codex",),
    sf_symbol="chevron.left.forwardslash.chevron.right",
    cost_scan=True,
)
