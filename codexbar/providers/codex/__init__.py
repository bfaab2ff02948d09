"""Codex (OpenAI ChatGPT plan): auth.json PAT/OAuth and the `codex app-server` RPC
(spec: providers/codex.md). Data only: the plugin hot path imports this module."""

from codexbar.descriptor import Descriptor

USAGE_PAGE = "https://chatgpt.com/codex/settings/usage"

DESCRIPTOR = Descriptor(
    id="codex",
    name="Codex",
    short_name="Codex",
    aliases=("openai",),
    window_labels=("Session", "Weekly", ""),
    pace_lanes=("session", "weekly", ""),
    pace_headroom=True,
    # chat.openai.com is only called when Codex's config.toml sets it as chatgpt_base_url
    origins=("https://chatgpt.com", "https://auth.openai.com", "https://chat.openai.com",
             "https://status.openai.com"),
    source_modes=("auto", "oauth", "cli", "web", "api"),
    # auto: PAT (`api`) → OAuth → the CLI's RPC; `web` is never automatic
    source_order={"plugin": ("api", "oauth", "cli"), "cli": ("api", "oauth", "cli")},
    dashboard_url=USAGE_PAGE,
    status_url="https://status.openai.com/",
    status_api="https://status.openai.com",
    actions=(("Buy credits…", USAGE_PAGE),),
    # CodexBar's display names where "capitalize the words" is not enough (parse.plan_label is the
    # full rule; a test keeps the two in step)
    plan_labels={"pro": "Pro 20x", "codex pro": "Pro 20x", "prolite": "Pro 5x", "pro_lite": "Pro 5x",
                 "pro-lite": "Pro 5x", "pro lite": "Pro 5x", "codex pro lite": "Pro 5x", "plus plan": "Plus",
                 "codex plus": "Plus"},
    missing_hint="Sign in with `codex login` (Codex CLI), or install the Codex CLI "
                 "(`npm i -g @openai/codex`).",
    default_enabled=True,
    detect_files=("~/.codex/auth.json",),
    detect_binaries=("codex",),
    sf_symbol="chevron.left.forwardslash.chevron.right",
    cost_scan=True,
)
