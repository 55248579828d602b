"""Prepared derivatives users call: sparse Jacobians, Hessians, gradients."""

from .gradient import Gradient, gradient
from .hessian import SparseHessian, hessian
from .jacobian import SparseJacobian, jacobian

__all__ = ["Gradient", "SparseHessian", "SparseJacobian", "gradient", "hessian", "jacobian"]
