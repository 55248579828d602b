"""asd: automatic sparse differentiation for numpy code.

Trace a plain numpy function once, detect the sparsity of its Jacobian or Hessian,
colour it, and evaluate exact sparse derivatives with compressed Numba sweeps.
"""

from .derivatives import Gradient, SparseHessian, SparseJacobian, gradient, hessian, jacobian
from .detection import hessian_sparsity, jacobian_sparsity
from .errors import (
    AsdError,
    BranchChangedError,
    InputError,
    TracerBoolError,
    TracerBufferError,
    TracerConversionError,
    TracerIndexError,
    UnsupportedFunctionError,
)
from .evaluation import evaluate, hvp, jvp, vjp
from .nlp import NLP, CallbackError, NonFiniteError
from .tape import Tape
from .tracing import TracedArray, trace

__version__ = "0.1.0"

__all__ = [
    "NLP",
    "AsdError",
    "CallbackError",
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
    "evaluate",
    "hessian_sparsity",
    "hvp",
    "jacobian_sparsity",
    "jvp",
    "trace",
    "vjp",
]
