/* Minimal check macros for the C unit tests: each failed check prints one line; main returns the
   number of failures (0 = pass). */
#ifndef VFPA_UNIT_H
#define VFPA_UNIT_H

#include "vfpa.h"

static int unit_failures = 0, unit_checks = 0;

#define EXPECT(cond, ...) \
  do { \
    unit_checks++; \
    if (!(cond)) { \
      unit_failures++; \
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "not ok %s:%d: ", __FILE__, __LINE__)); \
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, __VA_ARGS__)); \
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "\n")); \
    } \
  } while (0)

/* Largest value of x over all ranks. */
static inline PetscReal GlobalMax(PetscReal x)
{
  PetscReal y = x;
  MPI_Allreduce(&x, &y, 1, MPIU_REAL, MPIU_MAX, PETSC_COMM_WORLD);
  return y;
}

/* A parameter record and a grid set up from the options database (-nx, -nv, -L, ...). */
static inline PetscErrorCode UnitGridCreate(VfpaParams *params, VfpaGrid *grid)
{
  PetscFunctionBeginUser;
  PetscCall(VfpaParamsCreate(params));
  PetscCall(VfpaGridCreate(PETSC_COMM_WORLD, grid));
  PetscCall(VfpaGridSetFromOptions(*grid, *params));
  PetscCall(VfpaGridSetUp(*grid));
  PetscFunctionReturn(0);
}

#define UNIT_SUMMARY() PetscPrintf(PETSC_COMM_WORLD, "%d checks, %d failed\n", unit_checks, unit_failures)

#endif
