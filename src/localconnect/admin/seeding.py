"""Admin seeding of End User Messaging numbers of any type and status (SHORT_CODE too), checked against the
model's PhoneNumberInformation shape."""
from __future__ import annotations

import random

from ..core.call import Call
from ..gateway import catalog, validation
from ..services.sms_voice import phone_numbers as sms_numbers
from .errors import AdminError

_SEED_SHAPE = "PhoneNumberInformation"


def seed(call: Call, data: dict) -> dict:
    """Create an End User Messaging number of any type and status, checked against PhoneNumberInformation."""
    known = {"account", "region", "PhoneNumber", "NumberType", "Status", "IsoCountryCode", "MessageType",
             "NumberCapabilities", "TwoWayEnabled", "TwoWayChannelArn", "TwoWayChannelRole",
             "SelfManagedOptOutsEnabled", "OptOutListName", "InternationalSendingEnabled",
             "DeletionProtectionEnabled", "RegistrationId", "MonthlyLeasingPrice", "Tags"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise AdminError(400, "InvalidParameterException", f"unknown seed fields: {', '.join(unknown)}")
    number_type = data.get("NumberType", "LONG_CODE")
    country = data.get("IsoCountryCode", "US")
    tags = data.get("Tags") or {}
    if not isinstance(tags, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in tags.items()):
        raise AdminError(400, "InvalidParameterException", "Tags must be an object of string keys and values")
    tag_shape = catalog.service(catalog.SMS_VOICE).model.operation_model("TagResource").input_shape
    failures = validation.validate(tag_shape, {"ResourceArn": call.arn("sms-voice", "phone-number/phone-" + "0" * 32),
                                               "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]})
    if tags and failures:  # the model's bounds: 200 tags, keys 1-128 and values 0-256 characters
        raise AdminError(400, "ValidationException", validation.coral_message(failures))
    info = {
        "PhoneNumberArn": call.arn("sms-voice", "phone-number/phone-" + "0" * 32),
        "PhoneNumber": data.get("PhoneNumber") or _seed_number(call, country, number_type),
        "Status": data.get("Status", "ACTIVE"),
        "IsoCountryCode": country,
        "MessageType": data.get("MessageType", "TRANSACTIONAL"),
        "NumberCapabilities": data.get("NumberCapabilities", ["SMS", "VOICE"]),
        "NumberType": number_type,
        "MonthlyLeasingPrice": data.get("MonthlyLeasingPrice", sms_numbers.PRICES.get(number_type, "1.00")),
        "TwoWayEnabled": data.get("TwoWayEnabled", False),
        "SelfManagedOptOutsEnabled": data.get("SelfManagedOptOutsEnabled", False),
        "OptOutListName": data.get("OptOutListName", sms_numbers.DEFAULT_OPT_OUT_LIST),
        "DeletionProtectionEnabled": data.get("DeletionProtectionEnabled", False),
        "CreatedTimestamp": call.now,
    }
    for key in ("TwoWayChannelArn", "TwoWayChannelRole", "InternationalSendingEnabled", "RegistrationId"):
        if data.get(key) is not None:
            info[key] = data[key]
    shape = catalog.service(catalog.SMS_VOICE).model.shape_for(_SEED_SHAPE)
    failures = validation.validate(shape, info)
    if failures:
        raise AdminError(400, "ValidationException", validation.coral_message(failures))
    if sms_numbers.exists(call, info["PhoneNumber"]):
        raise AdminError(400, "ConflictException",
                         f"PhoneNumber {info['PhoneNumber']} already exists in {call.account} {call.region}")
    row = sms_numbers.insert(
        call, phone_number=info["PhoneNumber"], number_type=number_type, status_=info["Status"], active_at=None,
        iso_country_code=country, message_type=info["MessageType"], capabilities=info["NumberCapabilities"],
        opt_out_list_name=info["OptOutListName"], two_way_enabled=info["TwoWayEnabled"],
        two_way_channel_arn=info.get("TwoWayChannelArn"), two_way_channel_role=info.get("TwoWayChannelRole"),
        self_managed_opt_outs_enabled=info["SelfManagedOptOutsEnabled"],
        international_sending_enabled=bool(info.get("InternationalSendingEnabled")),
        deletion_protection_enabled=info["DeletionProtectionEnabled"], registration_id=info.get("RegistrationId"),
        monthly_leasing_price=info["MonthlyLeasingPrice"], tags=tags)
    return sms_numbers.information(call, row, with_tags=True)


def _seed_number(call: Call, country: str, number_type: str) -> str:
    if number_type == "SHORT_CODE":
        for _ in range(50):
            candidate = str(random.Random().randrange(200000, 999999))
            if not sms_numbers.exists(call, candidate):
                return candidate
    if country in sms_numbers.COUNTRIES and number_type in sms_numbers.COUNTRIES[country][1]:
        return sms_numbers.new_phone_number(call, country, number_type)
    if country in sms_numbers.COUNTRIES:
        return sms_numbers.new_phone_number(call, country, "LONG_CODE")
    raise AdminError(400, "InvalidParameterException",
                     f"give PhoneNumber: localconnect has no number range for {country}")
