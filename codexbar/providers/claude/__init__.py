"""Claude: OAuth, claude.ai web session, the `claude` CLI and the Admin API (spec: providers/claude.md)."""

from codexbar.descriptor import Descriptor

DESCRIPTOR = Descriptor(
    id="claude",
    name="Claude",
    short_name="Claude",
    window_labels=("Session", "Weekly", "Sonnet"),
    pace_lanes=("session", "weekly", "weekly"),
    origins=("https://api.anthropic.com", "https://claude.ai", "https://console.anthropic.com",
             "https://platform.claude.com"),
    source_modes=("auto", "oauth", "web", "cli", "api"),
    source_order={"plugin": ("oauth", "cli", "web"), "cli": ("web", "cli")},
    dashboard_url="https://console.anthropic.com/settings/billing",
    status_url="https://status.claude.com/",
    status_api="https://status.claude.com",
    missing_hint="Sign in with `claude login` (Claude Code), or set a claude.ai cookie header in the config.",
    detect_env=("CODEXBAR_CLAUDE_OAUTH_TOKEN",),
    detect_files=("~/.claude/.credentials.json",),
    detect_binaries=("claude",),
    sf_symbol="sparkle",
    cost_scan=True,
)
