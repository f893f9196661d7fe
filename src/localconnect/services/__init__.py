"""The behaviour, one module per resource. Importing this package registers every handler."""
from .connect import instances, inventory, phone_number_updates, phone_numbers, tags  # noqa: F401
from .sms_voice import phone_numbers as sms_phone_numbers  # noqa: F401
from .sms_voice import tags as sms_tags  # noqa: F401
