"""Notifications: invitations, sign-in codes and alerts, through one outbox and one channel."""

from sync.server.notify.channel import Channel, DeliveryError, Notification
from sync.server.notify.file import FileChannel
from sync.server.notify.govuk import GovUkNotifyChannel
from sync.server.notify.memory import MemoryChannel
from sync.server.notify.outbox import Outbox
from sync.server.notify.smtp import SmtpChannel

__all__ = [
    "Channel",
    "DeliveryError",
    "FileChannel",
    "GovUkNotifyChannel",
    "MemoryChannel",
    "Notification",
    "Outbox",
    "SmtpChannel",
]
