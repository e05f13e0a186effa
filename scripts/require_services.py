"""Fail loudly when PostgreSQL or Redis is not reachable (make test-services, CI)."""

import socket
import sys
from urllib.parse import urlsplit


def main(urls: list[str]) -> int:
    missing = []
    for url in urls:
        parts = urlsplit(url)
        default = {"postgres": 5432, "redis": 6379}.get(parts.scheme, 0)
        address = (parts.hostname or "127.0.0.1", parts.port or default)
        try:
            socket.create_connection(address, timeout=3).close()
        except OSError as error:
            missing.append(f"{parts.scheme} at {address[0]}:{address[1]} ({error})")
    for problem in missing:
        print(f"REQUIRED SERVICE MISSING: {problem}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
