"""Prepared derivatives users call: sparse Jacobians, Hessians, gradients, Hessian-vector
products, and the output formats they return."""

from .gradient import Gradient, gradient
from .hessian import SparseHessian, hessian
from .hessp import HessianVectorProduct, hessp
from .jacobian import SparseJacobian, jacobian
from .output import AutoCOO

__all__ = [
    "AutoCOO",
    "Gradient",
    "HessianVectorProduct",
    "SparseHessian",
    "SparseJacobian",
    "gradient",
    "hessian",
    "hessp",
    "jacobian",
]
