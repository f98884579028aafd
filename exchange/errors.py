"""Why an upload is refused as a whole; shown with its HTTP status like every service error."""

from core.errors import InvalidInput


class FileRefused(InvalidInput):
    """The file cannot be read as an exchange workbook (or archive): nothing in it is looked at further.

    413 when it is too large (bytes, rows, unpacked size), 415 when it is another kind of file,
    400 when it is damaged or its headers are not the template's.
    """

    def __init__(self, message, http_status: int = 400):
        super().__init__(message)
        self.http_status = http_status


TOO_LARGE = 413
WRONG_TYPE = 415
