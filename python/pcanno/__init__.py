"""pcanno: LiDAR point-cloud annotation engine (clouds, sequences, labels, sessions, automation).

The compiled engine is ``pcanno._pcanno``; everything public is re-exported here, beside the error
classes of ``pcanno.errors``. ``help(pcanno.read_cloud)`` and the type stubs describe each call.
"""

from .errors import *  # noqa: F401,F403  (pcanno.Error and one subclass per engine error code)
from ._pcanno import *  # noqa: F401,F403

__version__ = _pcanno.__version__  # noqa: F405
