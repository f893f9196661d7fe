"""Errors as values of the model: handlers raise these; the serializer gives each its status and wire form.

A modeled error's HTTP status comes from the service model (Connect) or from whether the shape is a
fault (End User Messaging, 400/500). Errors the models do not have (unknown operation, oversize body,
authentication) carry their own status.
"""
from __future__ import annotations

from typing import Any


class ApiError(Exception):
    code: str = "InternalFailure"
    status: int | None = None  # None: take it from the service model

    def __init__(self, message: str, **members: Any):
        super().__init__(message)
        self.message = message
        self.members = {k: v for k, v in members.items() if v is not None}

    def __repr__(self) -> str:
        return f"{self.code}({self.message!r})"


def _error(code: str, status: int | None = None) -> type[ApiError]:
    return type(code, (ApiError,), {"code": code, "status": status})


# Connect (restJson1) modeled errors
InvalidParameterException = _error("InvalidParameterException")
InvalidRequestException = _error("InvalidRequestException")
AccessDeniedException = _error("AccessDeniedException")
ResourceNotFoundException = _error("ResourceNotFoundException")
IdempotencyException = _error("IdempotencyException")
ResourceInUseException = _error("ResourceInUseException")
ServiceQuotaExceededException = _error("ServiceQuotaExceededException")
LimitExceededException = _error("LimitExceededException")
ThrottlingException = _error("ThrottlingException")
InternalServiceException = _error("InternalServiceException")
DuplicateResourceException = _error("DuplicateResourceException")
InvalidContactFlowException = _error("InvalidContactFlowException")  # its member is ``problems``: [{message}]
ContactFlowNotPublishedException = _error("ContactFlowNotPublishedException")

# End User Messaging (awsJson1_0) modeled errors; ResourceNotFound/AccessDenied/Throttling share names above.
ValidationException = _error("ValidationException")
ConflictException = _error("ConflictException")
InternalServerException = _error("InternalServerException")

# STS (awsQuery), including how its front door names the authentication errors above
ValidationError = _error("ValidationError")
SignatureDoesNotMatch = _error("SignatureDoesNotMatch", 403)
InvalidClientTokenId = _error("InvalidClientTokenId", 403)
MissingAuthenticationToken = _error("MissingAuthenticationToken", 403)
STS_AUTHENTICATION = {"InvalidSignatureException": SignatureDoesNotMatch,
                      "UnrecognizedClientException": InvalidClientTokenId,
                      "MissingAuthenticationTokenException": MissingAuthenticationToken}

# Not in either model: the edges of the wire.
UnknownOperationException = _error("UnknownOperationException", 404)
MethodNotAllowedException = _error("MethodNotAllowedException", 405)
NotImplementedOperation = _error("NotImplementedException", 501)
SerializationException = _error("SerializationException", 400)
RequestEntityTooLargeException = _error("RequestEntityTooLargeException", 413)

# Authentication (auth = sigv4): what AWS's front door answers, before any service sees the request.
MissingAuthenticationTokenException = _error("MissingAuthenticationTokenException", 403)
UnrecognizedClientException = _error("UnrecognizedClientException", 403)
InvalidSignatureException = _error("InvalidSignatureException", 403)
