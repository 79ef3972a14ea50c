"""Repository-aware context: scan a folder, index its code, and pack what a question needs."""
