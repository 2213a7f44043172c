from smartcity.cases.tests.conftest import (  # noqa: F401
    case,
    case_type,
    caseworker,
    citizen,
    fake_pdf_upload,
    other_case_type,
    other_citizen,
    png_upload,
    teamlead,
)
