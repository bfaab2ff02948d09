"""Codex error values with CodexBar's wording and a ``reason`` the fallback rules read.

Every error is a FetchError (one line + hint). ``reason`` tells a source's ``falls_back_on``
whether the next strategy can repair the problem (CodexBar: only auth/credential problems).
"""

from __future__ import annotations

from typing import Optional

from codexbar.errors import FetchError

LOGIN_HINT = "Run `codex login` to sign in again."
INSTALL_HINT = "Install the Codex CLI (`npm i -g @openai/codex`) or set CODEX_CLI_PATH."

# reason → (message, kind, hint)
_CREDENTIAL_TEXT = {
    "not_found": ("Codex auth.json not found. Run `codex login` to sign in.", "missing_credential",
                  "Sign in with `codex login` (Codex CLI), or set CODEX_HOME to its folder."),
    "unreadable": ("Codex auth.json could not be read. Check its permissions or run `codex login` to sign in "
                   "again.", "permission_denied", "Check the permissions of auth.json (it should be readable by you)."),
    "decode_failed": ("Failed to decode Codex credentials: Invalid JSON", "missing_credential",
                      "auth.json is corrupt; run `codex login` to write a fresh one."),
    "missing_tokens": ("Codex auth.json exists but contains no tokens.", "missing_credential", LOGIN_HINT),
    "native_refresh_required": ("Codex auth.json needs refresh. CodexBar will retry through the Codex CLI; "
                                "run `codex login` if recovery fails.", "auth_expired",
                                "Run any `codex` command (it refreshes its own login) or `codex login`."),
    "read_only_source": ("This external Codex credential source is stale and read-only. Sign in again with its "
                         "owning app or run `codex login` to create fresh native credentials.", "auth_expired",
                         LOGIN_HINT),
}


class CodexError(FetchError):
    """A FetchError carrying the CodexBar error case it stands for."""

    def __init__(self, message: str, *, reason: str, kind: str, hint: Optional[str] = None,
                 retry_after: Optional[float] = None, status: Optional[int] = None) -> None:
        super().__init__(message, kind=kind, hint=hint, retry_after=retry_after)
        self.reason = reason
        self.status = status


def credential_error(reason: str) -> CodexError:
    message, kind, hint = _CREDENTIAL_TEXT[reason]
    return CodexError(message, reason=reason, kind=kind, hint=hint)


def unauthorized(status: int) -> CodexError:
    return CodexError("Codex OAuth token expired or invalid. Run `codex login` to re-authenticate.",
                      reason="unauthorized", kind="auth_expired", status=status,
                      hint="Run `codex login`, then refresh.")


def invalid_response() -> CodexError:
    return CodexError("Invalid response from Codex usage API.", reason="invalid_response", kind="parse",
                      hint="The usage endpoint answered with something other than usage JSON; "
                           "a proxy may be in the way. It will retry on the next refresh.")


def server_error(status: int, body: str, retry_after: Optional[float] = None) -> CodexError:
    text = " ".join(body.split())
    if len(text) > 160:
        text = text[:157] + "..."
    message = "Codex API error %d: %s" % (status, text) if text else "Codex API error %d." % status
    kind = "rate_limited" if status == 429 else "unavailable"
    hint = ("ChatGPT is rate limiting usage requests; it will retry on the next refresh." if status == 429
            else "ChatGPT's usage service had a problem; it will retry on the next refresh.")
    return CodexError(message, reason="server_error", kind=kind, hint=hint, retry_after=retry_after,
                      status=status)


def no_rate_limits() -> CodexError:
    return CodexError("Found sessions, but no rate limit events yet.", reason="no_rate_limits", kind="parse",
                      hint="Use Codex once (any prompt) so ChatGPT reports your limits, then refresh.")


def cli_missing() -> CodexError:
    return CodexError("Codex CLI missing. Install via `npm i -g @openai/codex` (or bun install) and restart.",
                      reason="cli_missing", kind="binary_not_found", hint=INSTALL_HINT)


def rpc_start_failed(detail: str) -> CodexError:
    return CodexError("Codex not running. Try running a Codex command first. (%s)" % detail,
                      reason="rpc_start_failed", kind="unavailable", hint=INSTALL_HINT)


def rpc_request_failed(message: str) -> CodexError:
    return CodexError("Codex connection failed: %s" % message, reason="rpc_failed", kind="unavailable",
                      hint="Run `codex` once in a terminal to check that it is signed in and up to date.")


def rpc_malformed(detail: str) -> CodexError:
    return CodexError("Codex returned invalid data: %s" % detail, reason="rpc_malformed", kind="parse",
                      hint="Update the Codex CLI (`npm i -g @openai/codex`) and refresh.")


def rpc_timeout(method: str) -> CodexError:
    return CodexError("Codex RPC timed out waiting for `%s` reply." % method, reason="rpc_timeout",
                      kind="timeout", hint="The Codex CLI did not answer in time; it will retry on the next refresh.")


def backend_unavailable(backend: str) -> CodexError:
    return CodexError("Codex is configured for %s; ChatGPT rate limits are unavailable. Disable the Codex usage "
                      "card or use cost-based tracking." % backend, reason="backend_unavailable",
                      kind="unavailable", hint="Disable codex in the codexbar config, or switch Codex back "
                                               "to ChatGPT sign-in.")


def web_unsupported() -> CodexError:
    return CodexError("The OpenAI web dashboard source (--source web) is not available in codexbar; it needs "
                      "CodexBar's macOS browser engine.", reason="unsupported", kind="unsupported",
                      hint="Use --source auto, oauth, api or cli (set \"source\" for codex in the config).")
