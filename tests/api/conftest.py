from datetime import UTC, datetime

import pytest
import time_machine

from memberportal.api import services
from memberportal.core.actors import SystemActor

# A plain weekday, not a member day, so earning is the tier's rate alone.
ORDINARY_DAY = datetime(2026, 11, 17, 4, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def ordinary_day():
    with time_machine.travel(ORDINARY_DAY, tick=True):
        yield


@pytest.fixture
def till():
    client, token = services.create_client("Store 1 till", actor=SystemActor())
    return client, {"Authorization": f"Bearer {token}"}


@pytest.fixture
def headers(till):
    return till[1]
