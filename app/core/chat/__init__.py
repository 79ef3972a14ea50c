"""The chat use case: one conversation with the model, kept in memory and mirrored to the store."""

from app.core.chat.saving import ConversationRef, Ref, SaveSnapshot
from app.core.chat.session import ChatSession, SessionBusyError, Turn

__all__ = ["ChatSession", "ConversationRef", "Ref", "SaveSnapshot", "SessionBusyError", "Turn"]
