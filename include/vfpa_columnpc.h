#ifndef VFPA_COLUMNPC_H
#define VFPA_COLUMNPC_H

#include <petscksp.h>
#include "vfpa_grid.h"

/* The default IMEX preconditioner when each rank holds whole velocity columns (-da_processors_y 1):
   the Jacobian of the implicit Fokker-Planck part couples a cell only to its two velocity
   neighbours, so its local block is a set of independent tridiagonal systems, one per owned x
   cell, and Gaussian elimination down every column at once (the Thomas algorithm, vectorised
   across x) solves it exactly. No pivoting is needed: shift I - dF/dU is an M-matrix that is
   strictly diagonally dominant by columns (the flux form conserves mass). Any other PC can be
   chosen with -pc_type. */
PETSC_EXTERN PetscErrorCode VfpaColumnPCSet(PC, VfpaGrid);

#endif
