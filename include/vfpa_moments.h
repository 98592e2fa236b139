#ifndef VFPA_MOMENTS_H
#define VFPA_MOMENTS_H

#include "vfpa_grid.h"

/* Velocity moments rho = sum_j f_j dv, rho u = sum_j v_j f_j dv and u = rho u / rho, on the
   ghosted x range of the local slab (summed over the ranks that share the slab). Either at once
   (Compute), or around the halo exchange: Begin (the owned cells) while the ghosts travel, End (the
   x ghost cells) once they are there. */
typedef struct _p_VfpaMoments *VfpaMoments;

struct _p_VfpaMoments {
  VfpaGrid   grid;
  PetscReal *rho, *rhou, *u; /* ghosted profiles */
  PetscReal *buffer;         /* rho and rhou packed for one column reduction */
};

PETSC_EXTERN PetscErrorCode VfpaMomentsCreate(VfpaGrid, VfpaMoments *);
PETSC_EXTERN PetscErrorCode VfpaMomentsDestroy(VfpaMoments *);
PETSC_EXTERN PetscErrorCode VfpaMomentsCompute(VfpaMoments, const PetscScalar *const *);
PETSC_EXTERN PetscErrorCode VfpaMomentsBegin(VfpaMoments, const PetscScalar *const *);
PETSC_EXTERN PetscErrorCode VfpaMomentsEnd(VfpaMoments);
PETSC_EXTERN PetscErrorCode VfpaMomentsTotals(VfpaMoments, PetscReal *, PetscReal *);

#endif
