#ifndef VFPA_SYS_H
#define VFPA_SYS_H

#include <petscsys.h>

#define VFPA_VERSION "0.1.0"

/* Exit codes of bin/vfpa, documented in the README. */
typedef enum {
  VFPA_EXIT_OK        = 0, /* the run completed */
  VFPA_EXIT_ERROR     = 1, /* an internal or system error; PETSc printed a traceback */
  VFPA_EXIT_BAD_INPUT = 2, /* an option, input file or checkpoint was rejected; one message printed */
  VFPA_EXIT_STOPPED_EARLY = 3 /* a signal or -max_walltime stopped the run after a checkpoint: resubmit with -restart latest */
} VfpaExitCode;

/* Errors of this class are the user's to fix: they are reported as one line, without a traceback. */
PETSC_EXTERN PetscErrorCode VfpaErrorHandlerPush(void);
PETSC_EXTERN PetscErrorCode VfpaErrorHandlerPop(void);
PETSC_EXTERN VfpaExitCode   VfpaErrorReport(MPI_Comm, PetscErrorCode);

PETSC_EXTERN PetscErrorCode VfpaMakeDirectory(MPI_Comm, const char[]);
PETSC_EXTERN PetscErrorCode VfpaInputName(int, char **, char[], size_t);
PETSC_EXTERN PetscErrorCode VfpaLibraryVersions(char[], size_t);
PETSC_EXTERN PetscErrorCode VfpaListFind(MPI_Comm, PetscFunctionList, const char[], const char[], void (**)(void));
PETSC_EXTERN PetscErrorCode VfpaChoiceFind(MPI_Comm, const char *const[], const char[], const char[], PetscInt *);
/* PetscInitialize, with PETSc's allocations aligned to a cache line unless a -malloc option asks
   for PETSc's memory debugging (see sys.c); every vfpa program calls it instead, once. */
PETSC_EXTERN PetscErrorCode VfpaInitialize(int *, char ***, const char[]);
PETSC_EXTERN PetscErrorCode VfpaCheckReal(MPI_Comm, const char[], PetscReal, PetscReal, PetscReal, PetscBool, PetscBool);

#endif
