#ifndef VFPA_DIAGNOSTICS_H
#define VFPA_DIAGNOSTICS_H

#include "vfpa_model.h"

/* The diagnostics of SPEC section 5, one row per diagnostic time, in this column order. mu is the
   global Maxwellian with variance sigma centred at ubar, evaluated on the grid and normalised to
   the discrete mass, so entropy and l1 vanish at the discrete equilibrium. */
typedef enum {
  VFPA_DIAG_STEP,
  VFPA_DIAG_T,
  VFPA_DIAG_DT,
  VFPA_DIAG_MASS,      /* M = sum f dx dv */
  VFPA_DIAG_MOMENTUM,  /* P = sum v f dx dv */
  VFPA_DIAG_UBAR,      /* P / M */
  VFPA_DIAG_ENERGY,    /* 1/2 sum v^2 f dx dv */
  VFPA_DIAG_ENTROPY,   /* H = sigma sum f log(f / mu) dx dv */
  VFPA_DIAG_L1,        /* sum |f - mu| dx dv */
  VFPA_DIAG_FMIN,
  VFPA_DIAG_RHOMIN,
  VFPA_DIAG_RHOMAX,
  VFPA_DIAG_SMIN,
  VFPA_DIAG_SMAX,
  VFPA_DIAG_WMIN,      /* w = s / rho_phi */
  VFPA_DIAG_WMAX,
  VFPA_DIAG_ALIGN,     /* ||u - ubar||_{L2(s rho)} */
  VFPA_DIAG_EDGE_MASS, /* fraction of the mass in the outermost velocity cells */
  VFPA_DIAG_REJECTED,  /* rejected time steps so far */
  VFPA_DIAG_COUNT
} VfpaDiagnostic;
PETSC_EXTERN const char *const VfpaDiagnosticNames[];

typedef struct _p_VfpaDiagnostics *VfpaDiagnostics;

struct _p_VfpaDiagnostics {
  MPI_Comm   comm;
  VfpaModel  model;
  char       dir[PETSC_MAX_PATH_LEN];
  FILE      *csv;  /* rank 0 */
  PetscReal *rows; /* nrows x VFPA_DIAG_COUNT, kept for the HDF5 series */
  PetscInt   nrows, capacity;
  PetscReal *w;
};

PETSC_EXTERN PetscErrorCode VfpaDiagnosticsCreate(VfpaModel, VfpaDiagnostics *);
PETSC_EXTERN PetscErrorCode VfpaDiagnosticsSetUp(VfpaDiagnostics, const char[]);
PETSC_EXTERN PetscErrorCode VfpaDiagnosticsResume(VfpaDiagnostics, const char[], PetscReal);
PETSC_EXTERN PetscErrorCode VfpaDiagnosticsDestroy(VfpaDiagnostics *);
PETSC_EXTERN PetscErrorCode VfpaDiagnosticsCompute(VfpaDiagnostics, Vec, PetscReal[]);
PETSC_EXTERN PetscErrorCode VfpaDiagnosticsRecord(VfpaDiagnostics, const PetscReal[]);
PETSC_EXTERN PetscErrorCode VfpaDiagnosticsWriteHDF5(VfpaDiagnostics);
PETSC_EXTERN PetscErrorCode VfpaDiagnosticsLast(VfpaDiagnostics, const PetscReal **);

#endif
