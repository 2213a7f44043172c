import pytest

from smartcity.accounts.models import Department
from smartcity.accounts.testing import make_citizen
from smartcity.payments import handlers, services
from smartcity.payments.contrib.simulator import webhooks
from smartcity.payments.contrib.simulator.models import SimulatorTransaction

LABEL = "tests.subject"


@pytest.fixture
def citizen(db):
    return make_citizen(first_name="Erika", last_name="Mustermann")


@pytest.fixture
def other_citizen(db):
    return make_citizen(first_name="Max")


@pytest.fixture
def subject(db):
    return Department.objects.create(code="testamt", name="Testamt")


@pytest.fixture
def calls():
    """Register recording handlers for LABEL; yields the list of (outcome, payment id) calls."""
    seen: list[tuple[str, str]] = []
    handlers.register(LABEL, on_paid=lambda p: seen.append(("paid", str(p.pk))),
                      on_failed=lambda p: seen.append(("failed", str(p.pk))))
    yield seen
    handlers.unregister(LABEL)


@pytest.fixture
def start(citizen, subject, calls):
    def _start(amount_cents: int = 2500, purpose: str = "Bewohnerparken HO 12 Mon."):
        return services.start_payment(amount_cents=amount_cents, purpose=purpose, payer=citizen, subject=subject,
                                      return_url="/meine-antraege/", subject_label=LABEL)

    return _start


@pytest.fixture
def no_webhooks(settings):
    settings.PAYMENTS_SIMULATOR_WEBHOOKS = "off"


def settle(payment, status: str) -> SimulatorTransaction:
    """What the citizen does on the simulator page, without the webhook."""
    tx = SimulatorTransaction.objects.get(pk=payment.provider_reference)
    tx.status = status
    tx.save()
    return tx


def webhook_for(tx: SimulatorTransaction, **kwargs):
    return webhooks.build(tx, **kwargs)
