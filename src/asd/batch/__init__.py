"""Many solves of one prepared NLP: parameter scenarios in process or on Dask.

``solve_many(nlp, params)`` solves a parametric :class:`asd.NLP` (built with
``args=``) at every parameter value, with no re-trace: serially here, on a new
``LocalCluster`` (``workers=W``) or on an existing Dask cluster (``client=``), each
worker receiving the prepared NLP once. Every scenario gets a record, failures
included; with ``out=`` the records are written to Parquet as they arrive and a
restarted run skips what is recorded. ``read_results(out)`` reads them back.

pyarrow (results), distributed (clusters) and tqdm (progress bar) form the ``batch``
extra; each is imported only when used.
"""

from .records import COLUMNS, solve_scenario
from .solve import WARM_OPTIONS, solve_many
from .store import read_results

__all__ = ["COLUMNS", "WARM_OPTIONS", "read_results", "solve_many", "solve_scenario"]
