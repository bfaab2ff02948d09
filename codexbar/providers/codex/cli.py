"""The ``cli`` source: ask the Codex CLI's app-server for limits, credits and the account."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from codexbar.descriptor import FetchContext, Source
from codexbar.errors import FetchError
from codexbar.model import ProviderResult, UsageSnapshot
from codexbar.providers.codex import binary, rpc_parse, toml_config
from codexbar.providers.codex.errors import (CodexError, backend_unavailable, cli_missing, no_rate_limits,
                                             rpc_request_failed, rpc_start_failed)
from codexbar.providers.codex.parse import PROVIDER
from codexbar.providers.codex.rpc import CLIENT_INFO, AppServer, LaunchError, RpcRequestError

SOURCE_LABEL = "codex-cli"
LAUNCH_COOLDOWN = 30 * 60.0


def _gate_key(path: Path) -> str:
    return "codex/launch-failure/%s" % path


def _launch_gate(ctx: FetchContext, path: Path) -> Optional[str]:
    """A recent launch failure pauses background (non-interactive) launches for 30 minutes."""
    if ctx.interactive or ctx.cache is None:
        return None
    try:
        value = ctx.cache.get(_gate_key(path))
    except Exception:  # noqa: BLE001 - a broken cache never blocks a fetch
        return None
    return value if isinstance(value, str) else None


def _record_launch_failure(ctx: FetchContext, path: Path, detail: str) -> str:
    fix = ("Reinstall or unblock `%s` in macOS security settings" % path if ctx.env.is_macos
           else "Reinstall `%s` or fix its permissions" % path)
    message = ("Codex CLI launch failed; background refresh is paused for 30 minutes. %s, then refresh "
               "manually. Last error: %s" % (fix, detail))
    if ctx.cache is not None:
        try:
            ctx.cache.set(_gate_key(path), message, expire=LAUNCH_COOLDOWN)
        except Exception:  # noqa: BLE001
            pass
    return message


def include_credits(ctx: FetchContext) -> bool:
    """CodexBar fetches credits unless ``--no-credits``; a context may carry that choice."""
    return bool(getattr(ctx, "include_credits", True))


def read_snapshot(ctx: FetchContext) -> rpc_parse.CliSnapshot:
    """One app-server session: initialize → initialized → rateLimits/read → account/read."""
    path = binary.find_codex(ctx.env)
    if path is None:
        raise cli_missing()
    paused = _launch_gate(ctx, path)
    if paused:
        raise rpc_start_failed(paused)
    server = AppServer(path, ctx.env, deadline=ctx.deadline)
    error: FetchError
    try:
        try:
            server.start()
        except LaunchError as failure:
            raise rpc_start_failed(_record_launch_failure(ctx, path, str(failure))) from None
        server.request("initialize", {"clientInfo": dict(CLIENT_INFO)}, timeout=server.initialize_timeout)
        server.notify("initialized")
        limits = rpc_parse.parse_rate_limits(server.request("account/rateLimits/read").get("result"), ctx.now)
        try:
            account = rpc_parse.parse_account(server.request("account/read").get("result"))
        except (CodexError, RpcRequestError):
            account = None   # identity is optional; the limits already arrived
        return rpc_parse.assemble(limits, account, ctx.now)
    except RpcRequestError as failure:
        recovered = rpc_parse.recover_from_error(failure.raw, ctx.now)
        if recovered is not None:
            return recovered
        text = " ".join(failure.raw.split())
        error = rpc_request_failed(text if len(text) <= 240 else text[:237] + "...")
    except CodexError as failure:
        error = failure
    finally:
        server.close()
    if toml_config.is_auth_required_error(error.message):
        backend = toml_config.non_chatgpt_backend(toml_config.read_text(ctx.env))
        if backend:
            raise backend_unavailable(backend)
    raise error


def version(ctx: FetchContext) -> Optional[str]:
    path = binary.find_codex(ctx.env)
    return binary.display_version(binary.raw_version(ctx, path)) if path is not None else None


def fetch_result(ctx: FetchContext) -> ProviderResult:
    snapshot = read_snapshot(ctx)
    credits = snapshot.credits if include_credits(ctx) else None
    usage = snapshot.usage
    if usage is None:
        if credits is None:
            raise no_rate_limits()
        # credits still count when the RPC omits every window
        usage = UsageSnapshot(primary=None, secondary=None, updatedAt=credits.updatedAt, identity=snapshot.identity)
    return ProviderResult(provider=PROVIDER, source=SOURCE_LABEL, version=version(ctx), usage=usage,
                          credits=credits)


class CliSource(Source):
    id = "cli"

    def available(self, ctx: FetchContext) -> bool:
        return binary.find_codex(ctx.env) is not None

    def unavailable_reason(self, ctx: FetchContext) -> str:
        return "no `codex` command (npm i -g @openai/codex, or set CODEX_CLI_PATH)"

    def fetch(self, ctx: FetchContext) -> ProviderResult:
        return fetch_result(ctx)

    def falls_back_on(self, error: FetchError) -> bool:
        return False
