"""z.ai / GLM: an API key and one HTTPS call (spec: providers/zai.md)."""

from codexbar.descriptor import Descriptor

DESCRIPTOR = Descriptor(
    id="zai",
    name="z.ai / GLM",
    short_name="z.ai",
    aliases=("z.ai",),
    window_labels=("5-hour", "Weekly", ""),
    pace_lanes=("session", "weekly", ""),
    origins=("https://api.z.ai", "https://open.bigmodel.cn", "https://www.bigmodel.cn"),
    source_modes=("auto", "api"),
    source_order={"plugin": ("api",), "cli": ("api",)},
    dashboard_url="https://z.ai/manage-apikey/subscription",
    status_url=None,
    missing_hint="Set Z_AI_API_KEY, or apiKey for zai in ~/.config/codexbar/config.json "
                 "(codexbar config set-api-key --provider zai --stdin).",
    detect_env=("Z_AI_API_KEY",),
    sf_symbol="z.square",
)
