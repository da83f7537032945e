"""Run Inspect (inspect_ai) offline and quietly, for the scripts that make real Inspect
logs for Warrant (test fixtures, the worked example's logs). Call prepare() before
inspect_ai is imported.

Why the stand-in encoder: Inspect counts tokens with tiktoken's o200k_base encoding, which
tiktoken downloads on first use from a host these machines cannot reach. The stand-in's
encode() splits on whitespace, so token counts in the logs are word counts; nothing that
Warrant reads from a log depends on them.
"""
from __future__ import annotations

import os
import sys
import types
from pathlib import Path


class WhitespaceEncoding:
    """Offline stand-in for a tiktoken Encoding: one token per word."""

    name = "whitespace-standin"

    def encode(self, text: str, *args: object, **kwargs: object) -> list[str]:
        return text.split()

    def encode_ordinary(self, text: str) -> list[str]:
        return text.split()


def install_standin_encoder() -> None:
    encoding = WhitespaceEncoding()
    try:
        import tiktoken
    except ImportError:  # not installed: provide a module with the same entry points
        tiktoken = types.ModuleType("tiktoken")
        sys.modules["tiktoken"] = tiktoken
    tiktoken.get_encoding = lambda name, *a, **k: encoding  # type: ignore[attr-defined]
    tiktoken.encoding_for_model = lambda model, *a, **k: encoding  # type: ignore[attr-defined]


def prepare(work: Path) -> None:
    """Logs, traces and caches under `work`; no display, no network; the stand-in encoder."""
    os.environ["INSPECT_LOG_DIR"] = str(work / "logs")
    os.environ["INSPECT_DISPLAY"] = "none"
    os.environ["INSPECT_LOG_LEVEL"] = "warning"
    os.environ["INSPECT_TRACE_FILE"] = str(work / "trace.log")
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["HF_DATASETS_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["TIKTOKEN_CACHE_DIR"] = str(work / "tiktoken-cache")
    os.environ["NO_PROXY"] = "*"
    # git_context() is skipped when this is set; make sure it is not.
    os.environ.pop("PYTEST_CURRENT_TEST", None)
    install_standin_encoder()
