"""Reading a response body under a byte cap, decompressing as it goes and never past the cap.

httpx decodes each network chunk in one call: a 64 KB chunk of a gzip bomb inflates to 67 MB at once, so a
cap checked between chunks is 26× over before it is seen. Here the raw bytes are read and inflated with
zlib's `max_length` in slices of `DECODED_SLICE_BYTES`, so the decoded bytes held at any time are at most
the cap plus one slice. Only the encodings zlib can bound are asked for (`ACCEPT_ENCODING`); a server that
sends another one anyway (br, zstd) is refused rather than decoded without a bound. Written by hand because
httpx's decoders (and Playwright's, which crashed its driver on the bomb) take no output bound.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import httpx

ACCEPT_ENCODING = "gzip, deflate"
DECODED_SLICE_BYTES = 65_536
RAW_CHUNK_BYTES = 65_536


class TooLarge(Exception):
    """The body (decoded) is larger than the cap."""


class ByteBudget:
    """Bytes that may still be read, shared by every body charged to it (all the responses of one page).

    Bodies are charged slice by slice as they are decoded, so concurrent reads cannot each hold a full cap.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    def spend(self, size: int) -> None:
        """Charge `size` bytes; `TooLarge` once the total passes the limit."""
        self.used += size
        if self.used > self.limit:
            raise TooLarge


class UnsupportedEncoding(Exception):
    """The server compressed the body in a way that cannot be decoded under a bound."""


class _Inflater:
    """gzip or deflate, decoded in bounded slices; gzip members that follow one another are all read."""

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self._is_first_deflate_try = encoding == "deflate"
        self._zlib = self._new()

    def _new(self) -> zlib._Decompress:
        # 16 + MAX_WBITS: gzip header; MAX_WBITS: zlib-wrapped deflate (raw deflate is retried below).
        return zlib.decompressobj(16 + zlib.MAX_WBITS if self._encoding == "gzip" else zlib.MAX_WBITS)

    def decode(self, data: bytes) -> Iterator[bytes]:
        """Decoded slices of at most `DECODED_SLICE_BYTES` each, for one raw chunk."""
        pending = data
        while True:
            try:
                out = self._zlib.decompress(pending, DECODED_SLICE_BYTES)
            except zlib.error:
                if not self._is_first_deflate_try:
                    raise
                # Some servers send raw deflate without the zlib wrapper (as httpx also allows).
                self._is_first_deflate_try = False
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            self._is_first_deflate_try = False
            pending = self._zlib.unconsumed_tail
            if out:
                yield out
            if self._zlib.eof and self._zlib.unused_data:
                pending = self._zlib.unused_data  # another gzip member follows
                self._zlib = self._new()
                continue
            # A full slice may leave output inside zlib even when no input is left: ask again.
            if not pending and len(out) < DECODED_SLICE_BYTES:
                return

    def flush(self) -> bytes:
        """What zlib still holds at the end of the stream (a few bytes at most: all input was inflated)."""
        return self._zlib.flush()


def _decoder_for(content_encoding: str) -> _Inflater | None:
    encodings = [part.strip().lower() for part in content_encoding.split(",") if part.strip()]
    encodings = [encoding for encoding in encodings if encoding != "identity"]
    if not encodings:
        return None
    if len(encodings) == 1 and encodings[0] in {"gzip", "x-gzip", "deflate"}:
        return _Inflater("deflate" if encodings[0] == "deflate" else "gzip")
    raise UnsupportedEncoding(content_encoding)


async def read_capped(response: httpx.Response, budget: ByteBudget) -> bytes:
    """The decoded body of a streamed `response`, or `TooLarge` as soon as the budget is spent.

    Raises `UnsupportedEncoding` for compression other than gzip/deflate and `zlib.error` for a corrupt
    stream; httpx's own errors (timeouts, dropped connections) pass through.
    """
    if response.is_stream_consumed:  # built in memory (httpx.MockTransport): httpx has decoded it already
        budget.spend(len(response.content))
        return response.content
    declared = response.headers.get("content-length", "")
    decoder = _decoder_for(response.headers.get("content-encoding", ""))
    if decoder is None and declared.isdigit() and int(declared) > budget.remaining:
        raise TooLarge
    chunks: list[bytes] = []
    async for raw in response.aiter_raw(RAW_CHUNK_BYTES):
        for piece in decoder.decode(raw) if decoder is not None else (raw,):
            budget.spend(len(piece))
            chunks.append(piece)
    if decoder is not None:
        tail = decoder.flush()
        budget.spend(len(tail))
        chunks.append(tail)
    return b"".join(chunks)
