"""Settings for `make run` on a developer's or evaluator's machine."""

from kam.settings.base import *  # noqa: F403
from kam.settings.base import env

DEBUG = env.bool("DEBUG", default=True)
