import os

import numpy as np
import pytest
from hypothesis import settings

settings.register_profile("ci", max_examples=30, deadline=None)
settings.register_profile("long", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Every test converts afresh: a conversion stored on disk by an earlier run would hide the
# converter from the tests. The cache's own tests turn it on in a temporary folder.
os.environ.setdefault("AUTOGRAPH_CONVERSION_CACHE", "0")


@pytest.fixture(autouse=True)
def _seeded():
    np.random.seed(0)
    yield
