#ifndef VFPA_H5_H
#define VFPA_H5_H

#include <stdint.h>
#include <hdf5.h>
#include "vfpa_grid.h"

/* Parallel HDF5 for the phase-space grid: every call here is collective over the grid's ranks.
   Phase-space datasets have shape (nv, nx), so f[j][i] is the value at (v_j, x_i); x-profiles
   have shape (nx). */

/* Check an HDF5 call, which signals failure with a negative return value. */
#define VfpaH5Call(expr) \
  do { \
    if ((expr) < 0) SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "HDF5 call failed: %s", #expr); \
  } while (0)

PETSC_EXTERN PetscErrorCode VfpaH5Create(MPI_Comm, const char[], hid_t *);
PETSC_EXTERN PetscErrorCode VfpaH5Open(MPI_Comm, const char[], hid_t *);
PETSC_EXTERN PetscErrorCode VfpaH5Close(hid_t *);
PETSC_EXTERN PetscErrorCode VfpaH5HasDataset(hid_t, const char[], PetscBool *);
PETSC_EXTERN PetscErrorCode VfpaH5RenameIntoPlace(MPI_Comm, const char[], const char[]);

PETSC_EXTERN PetscErrorCode VfpaH5WritePhaseSpace(VfpaGrid, hid_t, const char[], Vec);
PETSC_EXTERN PetscErrorCode VfpaH5ReadPhaseSpace(VfpaGrid, hid_t, const char[], Vec);
PETSC_EXTERN PetscErrorCode VfpaH5WriteProfile(VfpaGrid, hid_t, const char[], const PetscReal *);
PETSC_EXTERN PetscErrorCode VfpaH5ReadProfile(VfpaGrid, hid_t, const char[], PetscReal *);
PETSC_EXTERN PetscErrorCode VfpaH5WriteArray(MPI_Comm, hid_t, const char[], PetscInt, const PetscReal[]);

PETSC_EXTERN PetscErrorCode VfpaH5WriteAttributeReal(hid_t, const char[], PetscReal);
PETSC_EXTERN PetscErrorCode VfpaH5WriteAttributeInt(hid_t, const char[], PetscInt);
PETSC_EXTERN PetscErrorCode VfpaH5WriteAttributeString(hid_t, const char[], const char[]);
PETSC_EXTERN PetscErrorCode VfpaH5WriteAttributeReals(hid_t, const char[], PetscInt, const PetscReal[]);
PETSC_EXTERN PetscErrorCode VfpaH5WriteAttributeUInt64(hid_t, const char[], uint64_t);
PETSC_EXTERN PetscErrorCode VfpaH5WriteParams(hid_t, VfpaParams);
PETSC_EXTERN PetscErrorCode VfpaH5ReadAttributeReal(MPI_Comm, hid_t, const char[], const char[], PetscReal *);
PETSC_EXTERN PetscErrorCode VfpaH5ReadAttributeInt(MPI_Comm, hid_t, const char[], const char[], PetscInt *);

#endif
