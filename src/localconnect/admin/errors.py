"""The admin API's error: a status, a code and a message, answered as {"error": {"code", "message"}}."""


class AdminError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
