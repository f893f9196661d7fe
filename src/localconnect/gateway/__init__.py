"""The AWS wire: routing, parsing, validation and serialization, all read from the botocore models."""
