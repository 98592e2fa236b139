#ifndef VFPA_TRANSPORT_H
#define VFPA_TRANSPORT_H

#include "vfpa_grid.h"

/* Free transport v d_x f and the s-model's d_x (s [u]) by conservative upwind finite volumes:
   first order, or second order (MUSCL) with a slope limiter whose face values stay in
   [0, 2 f_i], so forward Euler keeps f >= 0 when dt |v| / dx <= 1/2. */
typedef struct _p_VfpaTransport *VfpaTransport;

typedef enum {
  VFPA_LIMITER_MINMOD,
  VFPA_LIMITER_VANLEER,
  VFPA_LIMITER_MC
} VfpaLimiter;
PETSC_EXTERN const char *const VfpaLimiters[];

struct _p_VfpaTransport {
  MPI_Comm    comm;
  VfpaGrid    grid;
  PetscInt    order;
  VfpaLimiter limiter;
  PetscReal  *face; /* work: face values of one row */
  PetscReal  *row;  /* work: the ends of one row of f with their x ghosts (a ghosted profile) */
};

PETSC_EXTERN PetscErrorCode VfpaTransportCreate(MPI_Comm, VfpaTransport *);
PETSC_EXTERN PetscErrorCode VfpaTransportSetFromOptions(VfpaTransport, VfpaParams);
PETSC_EXTERN PetscErrorCode VfpaTransportSetUp(VfpaTransport, VfpaGrid);
PETSC_EXTERN PetscErrorCode VfpaTransportView(VfpaTransport, PetscViewer);
PETSC_EXTERN PetscErrorCode VfpaTransportDestroy(VfpaTransport *);
PETSC_EXTERN PetscErrorCode VfpaTransportApply(VfpaTransport, const PetscScalar *const *, PetscScalar **);
PETSC_EXTERN PetscErrorCode VfpaTransportSetRows(void *, const PetscScalar *const *, PetscInt, PetscInt, PetscScalar **);
PETSC_EXTERN PetscErrorCode VfpaTransportApplyStrength(VfpaTransport, const PetscScalar *, const PetscReal *, PetscScalar *);

#endif
