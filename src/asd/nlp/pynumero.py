"""PyNumero's ``NLP`` interface on top of :class:`asd.NLP`.

Pyomo's ``CyIpoptNLP(nlp)`` (pyomo.contrib.pynumero.interfaces.cyipopt_interface)
drives any object with these methods: state is set with ``set_primals`` /
``set_duals`` / ``set_obj_factor`` and every ``evaluate_*`` reads it; matrices are
``scipy.sparse.coo_matrix`` with a fixed structure, filled in place through ``out=``.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..errors import InputError


def _fill(out, values):
    if out is None:
        return None
    if isinstance(out, np.ndarray):
        if out.shape != values.shape:
            raise InputError(f"asd: out has shape {out.shape}, expected {values.shape}")
        out[...] = values
        return out
    out.data[...] = values
    return out


class PyNumeroMethods:
    """Mixin: the PyNumero ``NLP`` methods for a class with the asd NLP callbacks."""

    n: int
    m: int

    # sizes
    def n_primals(self) -> int:
        return self.n

    def n_constraints(self) -> int:
        return self.m

    def nnz_jacobian(self) -> int:  # type: ignore[override]
        return int(self._jac_structure[0].size)

    def nnz_hessian_lag(self) -> int:
        return int(self._hess_structure[0].size)

    # bounds and starting points
    def primals_lb(self) -> np.ndarray:
        return self.lb.copy()

    def primals_ub(self) -> np.ndarray:
        return self.ub.copy()

    def constraints_lb(self) -> np.ndarray:
        return self.cl.copy()

    def constraints_ub(self) -> np.ndarray:
        return self.cu.copy()

    def init_primals(self) -> np.ndarray:
        return self.x0.copy()

    def init_duals(self) -> np.ndarray:
        return np.zeros(self.m)

    def create_new_vector(self, vector_type: str) -> np.ndarray:
        size = {"primals": self.n, "constraints": self.m, "duals": self.m}.get(vector_type)
        if size is None:
            raise InputError(f"asd: unknown vector type {vector_type!r}")
        return np.zeros(size)

    # state
    def set_primals(self, primals) -> None:
        x = np.asarray(primals, dtype=np.float64)
        if x.shape != (self.n,):
            raise InputError(f"asd: primals have shape {x.shape}, expected ({self.n},)")
        self._x = x.copy()

    def get_primals(self) -> np.ndarray:
        return self._x.copy()

    def set_duals(self, duals) -> None:
        y = np.asarray(duals, dtype=np.float64)
        if y.shape != (self.m,):
            raise InputError(f"asd: duals have shape {y.shape}, expected ({self.m},)")
        self._duals = y.copy()

    def get_duals(self) -> np.ndarray:
        return self._duals.copy()

    def set_obj_factor(self, obj_factor: float) -> None:
        self._obj_factor = float(obj_factor)

    def get_obj_factor(self) -> float:
        return self._obj_factor

    # scaling: none
    def get_obj_scaling(self):
        return None

    def get_primals_scaling(self):
        return None

    def get_constraints_scaling(self):
        return None

    # evaluations at the current state
    def evaluate_objective(self) -> float:
        return self.objective(self._x)

    def evaluate_grad_objective(self, out=None) -> np.ndarray:
        g = self.gradient(self._x)
        return _fill(out, g) if out is not None else g

    def evaluate_constraints(self, out=None) -> np.ndarray:
        c = self.constraints(self._x)
        return _fill(out, c) if out is not None else c

    def evaluate_jacobian(self, out=None) -> sp.coo_matrix:
        vals = self.jacobian(self._x)
        if out is not None:
            return _fill(out, vals)
        r, c = self._jac_structure
        return sp.coo_matrix((vals, (r, c)), shape=(self.m, self.n))

    def evaluate_hessian_lag(self, out=None) -> sp.coo_matrix:
        """Lower triangle of the Hessian of the Lagrangian (what CyIpoptNLP keeps)."""
        vals = self.hessian(self._x, self._duals, self._obj_factor)
        if out is not None:
            return _fill(out, vals)
        r, c = self._hess_structure
        return sp.coo_matrix((vals, (r, c)), shape=(self.n, self.n))

    def report_solver_status(self, status_code, status_message) -> None:
        self.solver_status = (status_code, status_message)
