"""asd: automatic sparse differentiation for numpy code.

Trace a plain numpy function once, detect the sparsity of its Jacobian or Hessian,
colour it, and evaluate exact sparse derivatives with compressed Numba sweeps.
"""

from . import cache as _cache  # noqa: F401  (first: asd's jitted functions cache there)
from . import compile_notice
from .counters import preparation_counts
from .derivatives import (
    AutoCOO,
    Gradient,
    HessianVectorProduct,
    SparseHessian,
    SparseJacobian,
    gradient,
    hessian,
    hessp,
    jacobian,
)
from .detection import hessian_sparsity, jacobian_sparsity
from .errors import (
    AsdError,
    BranchChangedError,
    ConvergenceError,
    DenseTooLargeError,
    InputError,
    NotPreparedError,
    TracerBoolError,
    TracerBufferError,
    TracerConversionError,
    TracerIndexError,
    UnsupportedFunctionError,
    WorkTooLargeError,
)
from .evaluation import evaluate, hvp, jvp, vjp
from .tape import Tape
from .tracing import TracedArray, trace

__version__ = "0.1.0"

compile_notice.install()

_LAZY = {"NLP", "CallbackError", "NonFiniteError"}  # scipy.optimize loads only when used


def __getattr__(name: str):
    if name in _LAZY:
        from . import nlp

        return getattr(nlp, name)
    if name == "batch":  # pyarrow, distributed and tqdm load only when used
        import importlib

        return importlib.import_module(".batch", __name__)
    if name in ("spy", "spy_text"):
        from . import pictures

        return getattr(pictures, name)
    if name in ("color", "ColoringResult", "ColoringError"):
        from . import coloring

        return getattr(coloring, name)
    raise AttributeError(f"module 'asd' has no attribute {name!r}")


__all__ = [
    "NLP",
    "AutoCOO",
    "ConvergenceError",
    "DenseTooLargeError",
    "HessianVectorProduct",
    "NotPreparedError",
    "hessp",
    "AsdError",
    "CallbackError",
    "ColoringError",
    "ColoringResult",
    "Gradient",
    "NonFiniteError",
    "SparseHessian",
    "SparseJacobian",
    "gradient",
    "hessian",
    "jacobian",
    "BranchChangedError",
    "InputError",
    "Tape",
    "TracedArray",
    "TracerBoolError",
    "TracerBufferError",
    "TracerConversionError",
    "TracerIndexError",
    "UnsupportedFunctionError",
    "WorkTooLargeError",
    "color",
    "spy",
    "spy_text",
    "evaluate",
    "hessian_sparsity",
    "hvp",
    "jacobian_sparsity",
    "jvp",
    "preparation_counts",
    "trace",
    "vjp",
]
