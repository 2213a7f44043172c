"""Pure hash-chain arithmetic (no Django)."""

import hashlib
import json
from typing import Any

GENESIS = "0" * 64


def canonical(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def chain_hash(prev_hash: str, canonical_payload: str) -> str:
    return hashlib.sha256((prev_hash + canonical_payload).encode()).hexdigest()


def event_hash(prev_hash: str, payload: dict[str, Any]) -> str:
    return chain_hash(prev_hash, canonical(payload))
