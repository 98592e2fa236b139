#ifndef VFPA_STRANG_H
#define VFPA_STRANG_H

#include <petscts.h>

/* A PETSc TS type, "strang" (-ts_type strang), for an IMEX problem set up as for ARKIMEX (the
   explicit part by TSSetRHSFunction, the implicit one by TSSetIFunction and TSSetIJacobian): the
   Strang splitting
     explicit part over h/2 -> implicit part over h -> explicit part over h/2,
   each explicit half step by the optimal m-stage second-order SSP Runge-Kutta method in its
   low-storage form (Ketcheson 2008: m - 1 forward-Euler stages of h / (2 (m - 1)) and a last one
   averaged with the half step's start), the implicit part by the L-stable two-stage SDIRK2
   (gamma = 1 - 1/sqrt2, stiffly accurate), each stage one nonlinear solve by the TS's SNES after
   TSPreStage; both stages solve with the same shift 1 / (h gamma).
   Second order, as any Strang splitting of second-order parts. Each half step keeps f >= 0 up to
   m - 1 forward-Euler steps of the explicit part: SSP coefficient 2 (m - 1) for the whole step.
   SDIRK2 damps the stiffest modes of the implicit part with a negative factor (R(z) < 0 for
   z < -1 - sqrt2), so for vfpa f >= 0 holds for less data than with ARKIMEX ssp4l at very large
   lambda, and a larger m, with its longer steps, brings that loss to smaller lambda (README,
   Numerics). A step costs 2m explicit evaluations and two implicit stages; it keeps four work
   vectors, whatever m.
   Fixed steps only (-ts_adapt_type none): the step is chosen by the caller, and shortened only
   after a failed stage when -ts_max_snes_failures allows failures.
   Options: -ts_strang_stages m (default 3, at least 2). */
#define VFPA_TS_STRANG "strang"

PETSC_EXTERN PetscErrorCode VfpaTSStrangRegister(void);
PETSC_EXTERN PetscErrorCode VfpaTSStrangGetStages(TS, PetscInt *);
PETSC_EXTERN PetscErrorCode VfpaTSStrangCheckAdapt(TS);
PETSC_EXTERN PetscErrorCode VfpaTSStrangListOptions(MPI_Comm);

#endif
