"""The client of a Chroma server (``URBACT_CHROMA_HOST``): Chroma's token auth and https,
and failures told in one line that names the setting to check, never the token."""

from __future__ import annotations

import logging
import warnings
from typing import Any

from urbact_assistant.config import Settings
from urbact_assistant.errors import IndexError_

log = logging.getLogger(__name__)


TOKEN_AUTH = "chromadb.auth.token_authn.TokenAuthClientProvider"


def server_client(settings: Settings) -> Any:
    """An ``HttpClient`` to ``URBACT_CHROMA_HOST``: Chroma's token auth when a token is set,
    https when ``URBACT_CHROMA_SSL`` is on. Failures are one line naming the setting to
    check, with the token redacted (a proxy may echo request headers in its error page)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    host, port = server_address(settings)
    options: dict[str, Any] = {"anonymized_telemetry": False}
    if settings.chroma_token:
        options.update(
            chroma_client_auth_provider=TOKEN_AUTH,
            chroma_client_auth_credentials=settings.chroma_token,
            chroma_auth_token_transport_header=settings.chroma_token_header,
        )
        if not settings.chroma_ssl and host not in ("localhost", "127.0.0.1", "::1"):
            log.warning(
                "URBACT_CHROMA_TOKEN is sent to %s without TLS; set URBACT_CHROMA_SSL=1 unless "
                "the server is on a private network",
                host,
            )
    if settings.chroma_ssl and settings.chroma_ssl_verify:
        options["chroma_server_ssl_verify"] = (
            False if settings.chroma_ssl_verify == "0" else settings.chroma_ssl_verify
        )
    try:
        with warnings.catch_warnings():  # httpx deprecates a CA path in favour of a context
            warnings.filterwarnings("ignore", "`verify=<str>` is deprecated", DeprecationWarning)
            return chromadb.HttpClient(
                host=host, port=port, ssl=settings.chroma_ssl, settings=ChromaSettings(**options)
            )
    except Exception as exc:
        raise server_error(settings, exc) from None


def server_address(settings: Settings) -> tuple[str, int]:
    """``URBACT_CHROMA_HOST`` as (host, port): port 8000 by default, 443 with https."""
    host, _, port = settings.chroma_host.partition(":")
    return host, int(port) if port else (443 if settings.chroma_ssl else 8000)


def server_error(settings: Settings, exc: BaseException) -> IndexError_:
    """One line for a failed connection to a Chroma server, naming the setting to check."""
    where = f"the Chroma server at {settings.chroma_host}"
    status = _auth_status(exc) or _probe_status(settings)
    if status in (401, 403) and settings.chroma_token:
        return IndexError_(
            f"{where} refused the token (HTTP {status}); check URBACT_CHROMA_TOKEN and "
            f"URBACT_CHROMA_TOKEN_HEADER (sent as {settings.chroma_token_header})"
        )
    if status in (401, 403):
        return IndexError_(f"{where} requires a token (HTTP {status}); set URBACT_CHROMA_TOKEN")
    reason = _chain_reason(exc, settings.chroma_token)
    if "CERTIFICATE_VERIFY_FAILED" in reason:
        return IndexError_(
            f"{where}: its TLS certificate could not be verified ({reason}); set "
            "URBACT_CHROMA_SSL_VERIFY to the CA bundle that signed it"
        )
    if settings.chroma_ssl and ("WRONG_VERSION_NUMBER" in reason or "SSL" in reason):
        return IndexError_(
            f"{where}: TLS failed ({reason}); check URBACT_CHROMA_SSL (is it an https server?)"
        )
    return IndexError_(f"cannot reach {where}: {reason}")


def _auth_status(exc: BaseException) -> int | None:
    from chromadb.errors import AuthorizationError, ChromaAuthError

    if isinstance(exc, AuthorizationError):
        return 401
    if isinstance(exc, ChromaAuthError):
        return 403
    return None


def _probe_status(settings: Settings) -> int | None:
    """The HTTP status of Chroma's identity endpoint, asked the way the client asks it: a
    401 or 403 from a proxy in front of the server reaches the client as a bare text."""
    import ssl

    import httpx

    host, port = server_address(settings)
    headers = {}
    if settings.chroma_token:
        bearer = settings.chroma_token_header == "Authorization"
        value = f"Bearer {settings.chroma_token}" if bearer else settings.chroma_token
        headers[settings.chroma_token_header] = value
    verify: ssl.SSLContext | bool = True
    if settings.chroma_ssl_verify == "0":
        verify = False
    elif settings.chroma_ssl_verify:
        verify = ssl.create_default_context(cafile=settings.chroma_ssl_verify)
    scheme = "https" if settings.chroma_ssl else "http"
    try:
        response = httpx.get(
            f"{scheme}://{host}:{port}/api/v2/auth/identity",
            headers=headers,
            verify=verify,
            timeout=5.0,
        )
    except Exception:
        return None
    return response.status_code


def _chain_reason(exc: BaseException, secret: str) -> str:
    """The most useful message of an exception chain (the TLS error under httpx's), with
    ``secret`` redacted."""
    reasons: list[str] = []
    seen: BaseException | None = exc
    while seen is not None and len(reasons) < 5:
        reasons.append(reason(seen, secret))
        seen = seen.__cause__ or seen.__context__
    return next((r for r in reasons if "SSL" in r), reasons[0])


def reason(exc: BaseException, secret: str = "") -> str:
    text = str(exc).replace(secret, "<token>") if secret else str(exc)
    text = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return text[:120]
