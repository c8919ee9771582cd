"""Demo data sets shared by the demo tests: generated once per session.

``small_demo`` (2,000 customers) serves the structural checks; ``default_demo``
(the defaults: 20,000 customers over 3 years) serves the checks whose numbers only
mean something at full size: churn rates and the planted support effects.
"""

from __future__ import annotations

import pytest

from churnlens.demo import DemoFiles, generate_demo
from demo._helpers import SMALL, SMALL_SEED


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    return generate_demo(
        tmp_path_factory.mktemp("small"), n_customers=SMALL, seed=SMALL_SEED
    )


@pytest.fixture(scope="session")
def default_demo(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    return generate_demo(tmp_path_factory.mktemp("default"))
