#ifndef VFPA_MODEL_H
#define VFPA_MODEL_H

#include <petscts.h>
#include "vfpa_protocol.h"
#include "vfpa_transport.h"
#include "vfpa_fokkerplanck.h"
#include "vfpa_mms.h"

/* The semi-discrete kinetic system (SPEC section 1): d_t f = -v d_x f + d_v J for f, and
   d_t s = -d_x (s [u]) for the s-model, with s and [u] from the protocol. It provides the TS
   callbacks: the whole right-hand side for explicit integrators, and the IMEX split (transport
   explicit, Fokker-Planck implicit with a tridiagonal Jacobian per x column) for ARKIMEX and strang. */
typedef struct _p_VfpaModel *VfpaModel;

/* Which state of which vector something was computed from (PETSc object id and state counter). */
typedef struct {
  PetscObjectId    id;
  PetscObjectState state;
} VfpaStateKey;

struct _p_VfpaModel {
  MPI_Comm         comm;
  VfpaGrid         grid;
  VfpaKernel       kernel;
  VfpaProtocol     protocol;
  VfpaMoments      moments;
  VfpaTransport    transport;
  VfpaFokkerPlanck fp;
  VfpaMMS          mms;         /* testing only: manufactured-solution source terms */
  PetscBool        transported; /* the s-model: s is a state variable in the strength row */
  PetscReal        cfl;
  PetscReal       *strength;    /* ghosted transported s, shared by the column */
  VfpaStateKey     halo_key;    /* the state of the last halo (VfpaGridGetHalo) */
  VfpaStateKey     fields_key;  /* the state of the moments and the protocol's s and [u] */
  VfpaStateKey     drift_key;   /* the state of the Fokker-Planck drift */
  PetscReal        shift;       /* IMEX: the shift of the last Jacobian */
  PetscBool        keep_fp_term; /* IMEX: the IFunction keeps d_v J in fp_term (set by the stage preconditioner) */
  Vec              fp_term;     /* d_v J of the last IFunction (created by its first call with keep_fp_term) */
};

PETSC_EXTERN PetscErrorCode VfpaModelCreate(MPI_Comm, VfpaModel *);
PETSC_EXTERN PetscErrorCode VfpaModelSetFromOptions(VfpaModel, VfpaParams);
PETSC_EXTERN PetscErrorCode VfpaModelSetUp(VfpaModel);
PETSC_EXTERN PetscErrorCode VfpaModelSetUpMMS(VfpaModel, const char[]);
PETSC_EXTERN PetscErrorCode VfpaModelView(VfpaModel, PetscViewer);
PETSC_EXTERN PetscErrorCode VfpaModelDestroy(VfpaModel *);

PETSC_EXTERN PetscErrorCode VfpaModelEvaluateFields(VfpaModel, Vec);
PETSC_EXTERN PetscErrorCode VfpaModelComputeMoments(VfpaModel, Vec);
PETSC_EXTERN PetscErrorCode VfpaModelSetStrengthRow(VfpaModel, Vec, const PetscReal *);
PETSC_EXTERN PetscErrorCode VfpaModelStableTimeStep(VfpaModel, Vec, PetscBool, PetscReal *);
PETSC_EXTERN PetscErrorCode VfpaModelCreateJacobian(VfpaModel, Mat *);
PETSC_EXTERN PetscErrorCode VfpaModelRHSFunction(TS, PetscReal, Vec, Vec, void *);
PETSC_EXTERN PetscErrorCode VfpaModelRHSTransport(TS, PetscReal, Vec, Vec, void *);
PETSC_EXTERN PetscErrorCode VfpaModelIFunction(TS, PetscReal, Vec, Vec, Vec, void *);
PETSC_EXTERN PetscErrorCode VfpaModelIJacobian(TS, PetscReal, Vec, Vec, PetscReal, Mat, Mat, void *);
PETSC_EXTERN PetscErrorCode VfpaModelDriftResponse(VfpaModel, Vec);

#endif
