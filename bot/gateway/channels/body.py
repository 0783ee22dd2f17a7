"""Reading a request body with a cap, before anything else looks at it.

``await request.body()`` reads whatever a caller sends, however large, into memory
before the size or the signature can be checked. Webhooks and the web chat read
through here instead: a declared length over the cap is refused without reading, and
a streamed body stops being read as soon as it passes the cap.
"""

from __future__ import annotations

from starlette.requests import Request


async def read_capped(request: Request, limit: int) -> bytes | None:
    """The body of ``request``; ``None`` when it is (or says it is) over ``limit``."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
