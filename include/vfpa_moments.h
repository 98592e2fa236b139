#ifndef VFPA_MOMENTS_H
#define VFPA_MOMENTS_H

#include "vfpa_grid.h"

/* Velocity moments rho = sum_j f_j dv, rho u = sum_j v_j f_j dv and u = rho u / rho, on the
   ghosted x range of the local slab (summed over the ranks that share the slab). Either at once
   (Compute), or around the halo exchange: Begin (the owned cells) while the ghosts travel, End (the
   x ghost cells) once they are there. Optionally (SetWeights) also the weighted sums
   sum_j w_{j,k} f_j, k < nweights, over the owned cells (not scaled by dv), and the first and last
   velocity rows f_0 and f_{nv-1} of the owned cells, in the same pass over f and the same column
   reduction: the Fokker-Planck drift's moment expansion (vfpa_fokkerplanck.h). */
typedef struct _p_VfpaMoments *VfpaMoments;

#define VFPA_MOMENTS_MAX_WEIGHTS 8 /* weighted sums per pass (a multiple of 4): see vfpa_fokkerplanck.h */

struct _p_VfpaMoments {
  VfpaGrid         grid;
  PetscReal       *rho, *rhou, *u; /* ghosted profiles */
  PetscReal       *buffer;         /* rho, rhou, wsums and edges packed for one column reduction */
  PetscInt         nbuffer;        /* its length */
  PetscInt         nweights;       /* weights per velocity row (0: none) */
  const PetscReal *weights;        /* w_{j,k} at weights[(j - vs) nweights + k], owned rows (not copied) */
  PetscReal       *wsums;          /* sum_j w_{j,k} f_j of owned x cell b at wsums[k wld + b] */
  PetscReal       *edges;          /* with weights, f_0 and f_{nv-1} of owned x cell b at edges[b], edges[wld + b] */
  PetscInt         wld;            /* VFPA_PROFILE_STRIDE(xm) */
};

PETSC_EXTERN PetscErrorCode VfpaMomentsCreate(VfpaGrid, VfpaMoments *);
PETSC_EXTERN PetscErrorCode VfpaMomentsDestroy(VfpaMoments *);
PETSC_EXTERN PetscErrorCode VfpaMomentsSetWeights(VfpaMoments, PetscInt, const PetscReal *);
PETSC_EXTERN PetscErrorCode VfpaMomentsCompute(VfpaMoments, const PetscScalar *const *);
PETSC_EXTERN PetscErrorCode VfpaMomentsBegin(VfpaMoments, const PetscScalar *const *);
PETSC_EXTERN PetscErrorCode VfpaMomentsEnd(VfpaMoments);
PETSC_EXTERN PetscErrorCode VfpaMomentsTotals(VfpaMoments, PetscReal *, PetscReal *);

#endif
