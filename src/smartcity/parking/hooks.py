"""Where parking plugs into the shared engines: payment outcomes, case approvals and rejections."""

from django.db.models.signals import post_save


def _case_saved(sender, instance, **kwargs) -> None:
    from . import services

    if instance.outcome == "rejected" and instance.case_type.code == services.CASE_TYPE_CODE:
        services.on_case_rejected(instance)


def connect() -> None:
    from smartcity.cases import extensions
    from smartcity.cases.models import Case
    from smartcity.payments import handlers

    from . import services

    handlers.register("parking.application", on_paid=services.on_paid, on_failed=services.on_payment_failed)
    extensions.register(services.CASE_TYPE_CODE, on_approve=services.on_case_approved)
    post_save.connect(_case_saved, sender=Case, dispatch_uid="parking.case_rejected")
