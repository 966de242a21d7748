import pytest

from memberportal.extensions import db
from memberportal.memberships import demo as membership_demo
from memberportal.memberships.models import Plan
from tests import factories
from tests.stripe_api import Server
from tests.webhooks.stripe_sim import Sim


@pytest.fixture
def svip():
    membership_demo.load()
    db.session.commit()
    return db.session.scalars(db.select(Plan).where(Plan.code == "SVIP")).one()


@pytest.fixture
def sim(client, svip):
    return Sim(client)


@pytest.fixture
def payer():
    return factories.member()


@pytest.fixture
def stripe_api():
    """A stand-in for Stripe's API on 127.0.0.1 (see tests/stripe_api.py)."""
    with Server() as server:
        yield server
