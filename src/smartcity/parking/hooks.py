"""Where parking plugs into the shared engines: payment outcomes, case approvals and rejections."""


def connect() -> None:
    from smartcity.cases import extensions
    from smartcity.payments import handlers

    from . import services

    handlers.register("parking.application", on_paid=services.on_paid, on_failed=services.on_payment_failed)
    extensions.register(services.CASE_TYPE_CODE, on_approve=services.on_case_approved,
                        on_reject=services.on_case_rejected)
