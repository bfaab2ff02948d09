"""config.toml: the usage base URL and the backend that makes ChatGPT limits unavailable."""

from __future__ import annotations

import pytest

from codexbar.providers.codex import toml_config
from tests.providers.codex.conftest import FIX


def text(name: str) -> str:
    return (FIX / "config" / name).read_text()


@pytest.mark.parametrize("raw, base, usage", [
    (None, "https://chatgpt.com/backend-api", "https://chatgpt.com/backend-api/wham/usage"),
    ("https://chat.openai.com/", "https://chat.openai.com/backend-api", "https://chat.openai.com/backend-api/wham/usage"),
    (" https://chatgpt.com/backend-api// ", "https://chatgpt.com/backend-api", "https://chatgpt.com/backend-api/wham/usage"),
    ("https://codex.internal.test/", "https://codex.internal.test", "https://codex.internal.test/api/codex/usage"),
])
def test_base_url_resolution(raw, base, usage):
    assert toml_config.normalize_base(raw) == base
    assert toml_config.usage_url(base) == usage


def test_config_values():
    assert toml_config.chatgpt_base_url(text("chat-openai.toml")) == "https://chat.openai.com/"
    assert toml_config.chatgpt_base_url(text("custom-base.toml")) == "https://chatgpt.com/custom-proxy/"
    assert toml_config.chatgpt_base_url('model = "x"\n') is None


def test_side_endpoints():
    base = "https://chatgpt.com/backend-api"
    assert toml_config.reset_credits_url(base) == "https://chatgpt.com/backend-api/wham/rate-limit-reset-credits"
    assert toml_config.monthly_usage_url(base, "acct/1 2") == (
        "https://chatgpt.com/backend-api/accounts/acct%2F1%202/spend-controls/current-user/monthly-usage")
    assert toml_config.monthly_usage_url("https://codex.internal.test", "acct") is None


@pytest.mark.parametrize("name, backend", [
    ("bedrock.toml", "Amazon Bedrock"), ("custom-provider.toml", "a custom provider"),
    ("openai-provider.toml", None), ("chat-openai.toml", None)])
def test_backend_classification(name, backend):
    assert toml_config.non_chatgpt_backend(text(name)) == backend


def test_custom_provider_that_requires_openai_auth_is_chatgpt():
    assert toml_config.non_chatgpt_backend('model_provider = "proxy"\n[model_providers.proxy]\n'
                                           'requires_openai_auth = true\n') is None
