"""ragtune: RAG, fine-tuning or both for small language models."""

from ragtune.config import Settings
from ragtune.workspace import Workspace

__all__ = ["Settings", "Workspace"]
__version__ = "0.1.0"
