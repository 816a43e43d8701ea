"""Who a message is for, and which conversation it continues (pure functions on messages)."""

from __future__ import annotations

import re

from telegram import Message, MessageEntity
from telegram.constants import ChatType


def conversation_keys(message: Message, chat_type: str, user_id: int) -> list[str]:
    """Where a message's conversation is stored, the most specific first: a reply to one of
    the bot's answers continues that answer's conversation; otherwise a private chat has one,
    and in a group each member has their own."""
    own = (
        f"chat:{message.chat.id}"
        if chat_type == ChatType.PRIVATE
        else (f"chat:{message.chat.id}:user:{user_id}")
    )
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.is_bot:
        return [f"msg:{message.chat.id}:{replied.message_id}", own]
    return [own]


def addressed_question(message: Message, bot_id: int, username: str | None) -> str | None:
    """The question a message asks the bot; None when a group message is not for the bot.

    In private chats every text is a question. In groups, only a reply to one of the bot's
    messages or a mention of the bot is (the mention is removed from the question).
    """
    text = message.text or message.caption or ""
    if message.chat.type == ChatType.PRIVATE:
        return text
    mention = f"@{username}".lower() if username else None
    kinds: list[str | None] = [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
    entities = (
        message.parse_entities(kinds) if message.text else message.parse_caption_entities(kinds)
    )
    mentioned = any(
        (entity.type == MessageEntity.MENTION and value.lower() == mention)
        or (entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id)
        for entity, value in entities.items()
    )
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        mentioned = True
    if not mentioned:
        return None
    if mention:
        text = re.sub(re.escape(mention), " ", text, flags=re.IGNORECASE)
    return text
