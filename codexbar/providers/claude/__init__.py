"""Claude: OAuth, claude.ai web session, the `claude` CLI and the Admin API (spec: providers/claude.md)."""

from codexbar.descriptor import Descriptor

DESCRIPTOR = Descriptor(
    id="claude",
    name="Claude",
    short_name="Claude",
    window_labels=("Session", "Weekly", "Sonnet"),
    pace_lanes=("session", "weekly", "weekly"),
    # every host a Claude source calls (each one overridable for tests)
    origins=("https://api.anthropic.com", "https://claude.ai", "https://platform.claude.com",
             "https://status.claude.com"),
    source_modes=("auto", "oauth", "web", "cli", "api"),
    # "api" (Admin API) is only available with an admin key, and then it is the only source.
    # plugin = CodexBar's app order (OAuth → CLI → web); cli = CodexBar's CLI order (web → CLI).
    source_order={"plugin": ("api", "oauth", "cli", "web"), "cli": ("api", "web", "cli")},
    dashboard_url="https://console.anthropic.com/settings/billing",
    status_url="https://status.claude.com/",
    status_api="https://status.claude.com",
    actions=(("Usage on claude.ai", "https://claude.ai/settings/usage"),),
    # the explicit user action that reads Claude Code's Keychain item (never a scheduled run)
    commands=(("Import Claude credentials", ("login", "claude")),),
    missing_hint="Sign in with `claude login` (Claude Code), or set a claude.ai cookieHeader for claude "
                 "in ~/.config/codexbar/config.json.",
    detect_env=("CODEXBAR_CLAUDE_OAUTH_TOKEN", "ANTHROPIC_ADMIN_KEY"),
    detect_files=("~/.claude/.credentials.json",),
    detect_binaries=("claude",),
    sf_symbol="sparkle",
    cost_scan=True,
)
