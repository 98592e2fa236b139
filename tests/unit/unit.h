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

/* The larger of a and b, NaN if either is NaN. PetscMax(a, NaN) is a, which would let a NaN error
   pass a check of the form err <= tol; every error below is accumulated with this instead. */
static inline PetscReal MaxKeepNaN(PetscReal a, PetscReal b)
{
  return PetscIsNanReal(a) || PetscIsNanReal(b) ? (PetscReal)NAN : PetscMax(a, b);
}

/* Largest value of x over all ranks, NaN if x is NaN on any rank (the maximum over ranks alone may
   drop a NaN that is on one rank only). */
static inline PetscReal GlobalMax(PetscReal x)
{
  PetscReal y   = x;
  int       nan = PetscIsNanReal(x);
  MPI_Allreduce(&x, &y, 1, MPIU_REAL, MPIU_MAX, PETSC_COMM_WORLD);
  MPI_Allreduce(MPI_IN_PLACE, &nan, 1, MPI_INT, MPI_LOR, PETSC_COMM_WORLD);
  return nan ? (PetscReal)NAN : y;
}

/* max |v_k| over all entries of v on all ranks, NaN if any entry is NaN (VecNorm's NORM_INFINITY
   may drop it). */
static inline PetscErrorCode NormMax(Vec v, PetscReal *norm)
{
  const PetscScalar *a;
  PetscInt           n;
  PetscReal          local = 0;

  PetscFunctionBeginUser;
  *norm = (PetscReal)NAN; /* until computed */
  PetscCall(VecGetLocalSize(v, &n));
  PetscCall(VecGetArrayRead(v, &a));
  for (PetscInt k = 0; k < n; k++) local = MaxKeepNaN(local, PetscAbsScalar(a[k]));
  PetscCall(VecRestoreArrayRead(v, &a));
  *norm = GlobalMax(local);
  PetscFunctionReturn(0);
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
