import pytest

from codexbar.access import overrides
from codexbar.errors import ConfigError


def test_rewrite_keeps_path_and_query():
    mapping = overrides.parse('{"https://api.z.ai": "http://127.0.0.1:8123/base/"}')
    assert overrides.rewrite("https://api.z.ai/api/x?a=1&b=2", mapping) == "http://127.0.0.1:8123/base/api/x?a=1&b=2"
    assert overrides.rewrite("https://other.test/api", mapping) == "https://other.test/api"


@pytest.mark.parametrize("target", ["http://10.0.0.5:80", "http://example.test", "ftp://127.0.0.1",
                                    "https://user:pw@gw.test"])
def test_non_loopback_http_and_odd_targets_are_refused(target):
    with pytest.raises(ConfigError) as info:
        overrides.parse('{"https://api.z.ai": "%s"}' % target)
    assert "https://api.z.ai" in info.value.message


@pytest.mark.parametrize("target", ["http://localhost:1", "http://[::1]:2", "http://127.0.0.9:3", "https://gw.corp.test"])
def test_loopback_and_https_are_accepted(target):
    assert overrides.parse('{"https://api.z.ai": "%s"}' % target) == {"https://api.z.ai": target}


@pytest.mark.parametrize("raw", ["[1]", "{bad", '{"https://a.test": 3}'])
def test_malformed_values_are_clear_errors(raw):
    with pytest.raises(ConfigError):
        overrides.parse(raw)


def test_refused_override_surfaces_as_a_fetch_error(monkeypatch):
    from codexbar.env import Env
    from codexbar.fetch import fetch

    monkeypatch.setenv("Z_AI_API_KEY", "k-123456789")
    monkeypatch.setenv("CODEXBAR_ENDPOINT_OVERRIDES", '{"https://api.z.ai": "http://192.0.2.10:80"}')
    outcome = fetch("zai", Env.from_process(), runtime="cli")
    assert outcome.error.kind == "config"
    assert outcome.error.message.startswith("Endpoint override for https://api.z.ai must be https://")
