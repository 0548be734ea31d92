"""`ragtune compare`: RAG, fine-tuning or both, measured on the user's own documents."""
