#ifndef VFPA_STAGEPC_H
#define VFPA_STAGEPC_H

#include <petscksp.h>
#include "vfpa_model.h"

/* The default IMEX stage preconditioner when each rank holds whole velocity columns and the drift
   conserves momentum (-fp_drift momentum). The assembled Jacobian A = shift I - d(d_v J)/df freezes
   the drift, which follows [u]: the momentum of every column feeds back through the protocol's
   average into every other column's drift, and with A alone Newton contracts only linearly. The
   velocity moments of the exact stage Jacobian are known, however: d_v J leaves the mass of a
   column alone and changes its momentum by s_i (rho_i [u]_i - rho_i u_i) (vfpa_fokkerplanck.h),
   which at fixed rho is linear in the momenta for every protocol (SPEC section 2). So y = (exact
   Jacobian)^{-1} x is found as
     1. z = A^{-1} x (the column Thomas solve, vfpa_columnpc.h); its mass M0(x) / shift is exact;
     2. the momenta Y1 of y from the nx equations
          (shift + s_i) Y1_i - s_i rho_i [u]_i(Y1) = M1(x)_i,
        [u](Y1) being the protocol's average of the momenta Y1 at the current rho (GMRES, options
        prefix -momentum_);
     3. y = z + mu_i w_i with w = A^{-1} d(d_v J)/dc column by column, mu_i fixed by M1(y_i) = Y1_i.
   Step 3 is the Sherman-Morrison form of the inverse, one rank-one term per column, with the
   coefficient taken from the exact momentum balance rather than from differentiating the drift.
   Neglected: how s, rho [u] and the average's denominators change with the mass of y. That is
   zero once the first Newton step has fixed the mass of every column, and for the symmetric
   protocols the neglected terms sum to zero over x, so the total momentum of every Newton iterate
   is exact. Every Newton step thus keeps mass and momentum, and the stage solve can stop at the
   accuracy the time step needs (solver.c sets the default tolerances). */
PETSC_EXTERN PetscErrorCode VfpaStagePCSet(PC, VfpaModel);

#endif
