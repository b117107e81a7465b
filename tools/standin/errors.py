"""The 4xx answers of the stand-in, with the JSON body each real service writes."""

from __future__ import annotations


class RequestError(Exception):
    """An error the real service would answer with a 4xx and a JSON body."""

    def __init__(self, status: int, body: dict[str, object]) -> None:
        super().__init__(str(body))
        self.status = status
        self.body = body


def ods_error(message: str, status: int = 400, code: str = "ODSQLError") -> RequestError:
    """An Opendatasoft (ODRÉ) error: `{"error_code": ..., "message": ...}`."""
    return RequestError(status, {"error_code": code, "message": message})


def meteo_error(reason: str) -> RequestError:
    """An Open-Meteo error: HTTP 400 `{"error": true, "reason": ...}`."""
    return RequestError(400, {"error": True, "reason": reason})
