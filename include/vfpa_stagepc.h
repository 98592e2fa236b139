#ifndef VFPA_STAGEPC_H
#define VFPA_STAGEPC_H

#include <petscksp.h>
#include "vfpa_model.h"

/* The default IMEX stage preconditioner when each rank holds whole velocity columns and the drift
   conserves momentum (-fp_drift momentum). The assembled Jacobian A = shift I - d(d_v J)/df freezes
   the drift, which follows [u]: the momentum of every column feeds back through the protocol's
   average into every other column's drift, and with A alone Newton contracts only linearly. The
   velocity moments of the exact stage Jacobian are known, however: d_v J leaves the mass of a
   column alone and changes its momentum by S_i = s_i (rho_i [u]_i - rho_i u_i)
   (vfpa_fokkerplanck.h), which at fixed rho is linear in the momenta for every protocol (SPEC
   section 2). So y = (exact Jacobian)^{-1} x is found as
     0. the mass change of y, delta rho = M0(x) / shift (exact: A and d_v J keep every column's
        mass), and what follows from it: delta s = D_rho s . delta rho (density strengths; for the
        s-model delta s = x_s / shift from the strength row) and c = s D_rho(rho [u]) . delta rho,
        by difference quotients of the protocol at the current momenta; d_v J is linear in s, so
        delta s enters the f rows as x' = x + (delta s / s) d_v J (d_v J of the current iterate,
        kept by the IFunction);
     1. z = A^{-1} x' (the column Thomas solve, vfpa_columnpc.h);
     2. the momenta Y1 of y from the nx equations
          (shift + s_i) Y1_i - s_i rho_i [u]_i(Y1) = M1(x')_i + c_i,
        [u](Y1) being the protocol's average of the momenta Y1 at the current rho (GMRES,
        vfpa_gmres.h, on the rows divided by shift + s_i: the identity minus the average's
        coupling, whose rank is that of the kernel, so a trig kernel of K cosine modes needs at
        most 2K iterations); for the symmetric protocols sum_i S_i = 0 whatever the moments, and
        the right-hand side is made to keep the total of M1(x) exactly;
     3. y = z + mu_i w_i with w = A^{-1} d(d_v J)/dc column by column, mu_i fixed by M1(y_i) = Y1_i.
   Step 3 is the Sherman-Morrison form of the inverse, one rank-one term per column, with the
   coefficient taken from the exact momentum balance rather than from differentiating the drift.
   Neglected: how the first-order drift correction changes (vfpa_fokkerplanck.h). The result
   inverts the exact stage Jacobian to about 1e-5 (tests/unit/test_stagepc.c), so Newton converges
   quadratically from a stage's first guess, whose column masses are not the solution's; every
   Newton step keeps mass and the total momentum of the symmetric protocols, and the stage solve
   can stop at the accuracy the time step needs (solver.c sets the default tolerances). */
PETSC_EXTERN PetscErrorCode VfpaStagePCSet(PC, VfpaModel);

#endif
