"""Which engine holds the vectors and keyword postings: `--store` on the command line or RULEOFLAW_STORE.

    faiss                     (default) files in the index folder, searched in this process
    milvus:PATH.db            Milvus Lite: an embedded Milvus in one local file, no server
    milvus://HOST:PORT        a Milvus server or cluster (also milvus+https://HOST:PORT for TLS)

For a server, credentials come from the environment, never from the command line: MILVUS_TOKEN
("user:password" or an API key), or MILVUS_USER and MILVUS_PASSWORD; MILVUS_DB names a database other than
"default". RULEOFLAW_MILVUS_ALIAS names the alias readers follow (default "ruleoflaw"), so that several
indexes can share one server.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

STORE_ENV = "RULEOFLAW_STORE"
ALIAS_ENV = "RULEOFLAW_MILVUS_ALIAS"
DEFAULT_ALIAS = "ruleoflaw"
_ALIAS = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,200}")


class StoreError(ValueError):
    """A store setting that cannot be used; the message is for users."""


@dataclass(frozen=True)
class StoreSpec:
    kind: str  # "faiss" or "milvus"
    uri: str = ""  # Milvus: a local .db path (Milvus Lite) or http(s)://host:port
    alias: str = DEFAULT_ALIAS

    @property
    def is_milvus(self) -> bool:
        return self.kind == "milvus"

    @property
    def is_lite(self) -> bool:
        return self.is_milvus and not self.uri.startswith(("http://", "https://"))

    def describe(self) -> str:
        """The text `parse_store` reads back."""
        if not self.is_milvus:
            return "faiss"
        if self.is_lite:
            return f"milvus:{self.uri}"
        return self.uri.replace("https://", "milvus+https://").replace("http://", "milvus://")


FAISS = StoreSpec("faiss")


def parse_store(text: str | None = None) -> StoreSpec:
    """The store named by `text`, else by RULEOFLAW_STORE, else FAISS files."""
    text = (text if text is not None else os.environ.get(STORE_ENV, "")).strip()
    if not text or text == "faiss":
        return FAISS
    alias = os.environ.get(ALIAS_ENV, DEFAULT_ALIAS)
    if not _ALIAS.fullmatch(alias):
        raise StoreError(f"{ALIAS_ENV}={alias} 不能用作 Milvus 别名（只能用字母、数字和下划线，且不以数字开头）。")
    for prefix, scheme in (("milvus+https://", "https://"), ("milvus://", "http://")):
        if text.startswith(prefix):
            address = text[len(prefix):].rstrip("/")
            if not re.fullmatch(r"[A-Za-z0-9.\-]+:\d{1,5}", address):
                raise StoreError(f"Milvus 地址格式不对：{text}（示例：milvus://localhost:19530）")
            return StoreSpec("milvus", scheme + address, alias)
    if text.startswith("milvus:"):
        path = text[len("milvus:"):]
        if not path.endswith(".db"):
            raise StoreError(f"Milvus Lite 文件名须以 .db 结尾：{path}（示例：milvus:./index.db）")
        return StoreSpec("milvus", str(Path(path).expanduser().resolve()), alias)
    raise StoreError(f"未知的存储：{text}（可选：faiss、milvus:文件.db、milvus://主机:端口）")


def client_options(spec: StoreSpec) -> dict:
    """Keyword arguments for pymilvus.MilvusClient, credentials from the environment."""
    options = {"uri": spec.uri}
    if spec.is_lite:
        return options
    token = os.environ.get("MILVUS_TOKEN")
    user, password = os.environ.get("MILVUS_USER"), os.environ.get("MILVUS_PASSWORD")
    if token:
        options["token"] = token
    elif user and password:
        options["user"], options["password"] = user, password
    if os.environ.get("MILVUS_DB"):
        options["db_name"] = os.environ["MILVUS_DB"]
    return options
