#ifndef VFPA_GRID_H
#define VFPA_GRID_H

#include <petscdmda.h>
#include "vfpa_params.h"

/* The phase-space grid: nx x nv cell-centred finite volumes on the periodic box [0, L) times the
   walled velocity box [-vmax, vmax], as one PETSc DMDA. Rows j = 0..nv-1 hold f; for the s-model an
   extra "strength row" j = nv holds s(x), so f and s share one vector, one halo exchange and one
   file layout. Ranks own slabs of x with all of v by default; -da_processors_y splits v too.

   Per-x profiles (moments, strength, averages) live on the ghosted x range of the local slab and
   are indexed by the global cell index: p[i], gxs <= i < gxs + gxm. */
typedef struct _p_VfpaGrid *VfpaGrid;

struct _p_VfpaGrid {
  MPI_Comm    comm;
  PetscInt    nx, nv;        /* cells in x and v */
  PetscReal   L, vmax;       /* x in [0, L), v in [-vmax, vmax] */
  PetscReal   dx, dv;
  PetscInt    px, pv;        /* ranks along x and v (requested; the layout in use after SetUp) */
  PetscBool   strength_row;  /* the DMDA has the extra row j = nv holding s */
  DM          da;
  PetscInt    xs, xm;        /* owned x cells */
  PetscInt    gxs, gxm;      /* ghosted x cells */
  PetscInt    vs, vm;        /* owned velocity rows (the strength row excluded) */
  PetscBool   owns_strength; /* this rank owns (part of) the strength row */
  MPI_Comm    column_comm;   /* ranks sharing this x slab: velocity sums are reduced here */
  MPI_Comm    row_comm;      /* ranks sharing this v range, one per x slab: x sums are reduced here */
  PetscMPIInt column_size, strength_root;
  PetscReal  *x;             /* ghosted profile of cell centres (not wrapped into [0, L)) */
  PetscReal  *v;             /* v[j], j = 0..nv-1 */
  PetscReal  *vface;         /* v_{j+1/2}, j = 0..nv-2: the interior velocity faces */
  VecScatter  ghosts;        /* global -> local vector, the ghost cells only (VfpaGridGlobalToLocal) */
};

PETSC_EXTERN PetscErrorCode VfpaGridCreate(MPI_Comm, VfpaGrid *);
PETSC_EXTERN PetscErrorCode VfpaGridSetFromOptions(VfpaGrid, VfpaParams);
PETSC_EXTERN PetscErrorCode VfpaGridSetStrengthRow(VfpaGrid, PetscBool);
PETSC_EXTERN PetscErrorCode VfpaGridSetUp(VfpaGrid);
PETSC_EXTERN PetscErrorCode VfpaGridView(VfpaGrid, PetscViewer);
PETSC_EXTERN PetscErrorCode VfpaGridDestroy(VfpaGrid *);

/* Called with each owned row j of the local vector as soon as its owned cells are copied (row[i] for
   xs <= i < xs + xm; the ghost cells are not filled yet). */
typedef void (*VfpaRowVisitor)(void *ctx, PetscInt j, const PetscScalar *row);
PETSC_EXTERN PetscErrorCode VfpaGridGlobalToLocal(VfpaGrid, Vec, Vec, VfpaRowVisitor, void *);
PETSC_EXTERN PetscErrorCode VfpaGridProfileCreate(VfpaGrid, PetscReal **);
PETSC_EXTERN PetscErrorCode VfpaGridProfileDestroy(VfpaGrid, PetscReal **);
PETSC_EXTERN PetscErrorCode VfpaGridSumOverColumn(VfpaGrid, PetscInt, PetscReal[]);
PETSC_EXTERN PetscErrorCode VfpaGridSumOverRow(VfpaGrid, PetscInt, PetscReal[]);
PETSC_EXTERN PetscErrorCode VfpaGridBroadcastStrength(VfpaGrid, PetscReal[]);

#endif
