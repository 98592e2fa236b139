#ifndef VFPA_OUTPUT_H
#define VFPA_OUTPUT_H

#include "vfpa_model.h"

/* HDF5 snapshots snap_NNNNNN.h5 (NNNNNN counts snapshots), written collectively by all ranks to a
   temporary name and renamed into place when complete. Each holds f (nv x nx), the x-profiles rho,
   u, s, w = s / rho_phi and avg_u = [u], the axes x and v, the attributes time and step, and every
   run parameter. snapshots.xdmf beside them indexes the series for ParaView. */
typedef struct _p_VfpaOutput *VfpaOutput;

struct _p_VfpaOutput {
  MPI_Comm   comm;
  VfpaModel  model;
  VfpaParams params;
  char       dir[PETSC_MAX_PATH_LEN];
  PetscInt   count;    /* snapshots written */
  PetscReal *times;    /* their times, for the XDMF index */
  PetscInt   capacity;
  PetscReal *w;
};

PETSC_EXTERN PetscErrorCode VfpaOutputCreate(VfpaModel, VfpaParams, VfpaOutput *);
PETSC_EXTERN PetscErrorCode VfpaOutputSetUp(VfpaOutput, const char[]);
PETSC_EXTERN PetscErrorCode VfpaOutputDestroy(VfpaOutput *);
PETSC_EXTERN PetscErrorCode VfpaOutputWriteSnapshot(VfpaOutput, Vec, PetscReal, PetscInt);
PETSC_EXTERN PetscErrorCode VfpaOutputResume(VfpaOutput, PetscInt, const PetscReal[]);

#endif
