"""CKAN's action errors with their exact ``__type`` names and HTTP status codes."""

from typing import Any


class ActionError(Exception):
    status = 500
    type_name = "Internal Server Error"

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message

    def error_dict(self) -> dict[str, Any]:
        return {"__type": self.type_name, "message": self.message}


class ValidationError(ActionError):
    status = 409
    type_name = "Validation Error"

    def __init__(self, errors: dict[str, Any]):
        super().__init__("")
        self.errors = errors

    def error_dict(self) -> dict[str, Any]:
        return {"__type": self.type_name, **self.errors}


class NotFound(ActionError):
    status = 404
    type_name = "Not Found Error"

    def __init__(self, what: str = ""):
        super().__init__(f"Not found: {what}" if what else "Not found")


class NotAuthorized(ActionError):
    status = 403
    type_name = "Authorization Error"

    def __init__(self, why: str = ""):
        super().__init__(f"Access denied: {why}" if why else "Access denied")


class SearchQueryError(ActionError):
    status = 400
    type_name = "Search Query Error"

    def __init__(self, why: str):
        super().__init__(f"Search Query is invalid: {why}")


class NotSupported(ActionError):
    """An action CKAN has that this portal deliberately does not offer (e.g. raw SQL)."""

    status = 400
    type_name = "Not Supported"
