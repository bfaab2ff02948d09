"""Serve recorded z.ai answers from fixtures/zai/http on the loopback server."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "zai" / "http"
QUOTA = "/api/monitor/usage/quota/limit"
MODEL_USAGE = "/api/monitor/usage/model-usage"
BALANCE = "/api/biz/account/query-customer-account-report"
ORIGINS = ("https://api.z.ai", "https://open.bigmodel.cn", "https://www.bigmodel.cn")


def body(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def serve(httpserver, quota: str = "quota-normal.json", status: int = 200,  # noqa: ANN001
          hourly: Optional[str] = "model-usage-hourly.json", daily: Optional[str] = "model-usage-daily.json",
          content_type: str = "application/json", headers: Optional[dict] = None) -> None:
    httpserver.expect_request(QUOTA).respond_with_data(body(quota), status=status, content_type=content_type,
                                                       headers=headers)
    if hourly:
        httpserver.expect_request(MODEL_USAGE, query_string={"startTime": "2026-08-02 00:00:00",
                                                             "endTime": "2026-08-03 12:59:59"}).respond_with_data(
            body(hourly), content_type="application/json")
    if daily:
        httpserver.expect_request(MODEL_USAGE, query_string={"startTime": "2026-07-04 00:00:00",
                                                             "endTime": "2026-08-03 12:59:59"}).respond_with_data(
            body(daily), content_type="application/json")
