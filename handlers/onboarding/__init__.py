"""Onboarding: joining a chat, the rights the bot needs, private-chat start, chat migration."""
