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
  PetscInt    ys, ym;        /* owned rows of the DMDA (the strength row included) */
  PetscBool   owns_strength; /* this rank owns (part of) the strength row */
  MPI_Comm    column_comm;   /* ranks sharing this x slab: velocity sums are reduced here */
  MPI_Comm    row_comm;      /* ranks sharing this v range, one per x slab: x sums are reduced here */
  PetscMPIInt column_size, strength_root;
  PetscReal  *x;             /* ghosted profile of cell centres (not wrapped into [0, L)) */
  PetscReal  *v;             /* v[j], j = 0..nv-1 */
  PetscReal  *vface;         /* v_{j+1/2}, j = 0..nv-2: the interior velocity faces */
  VecScatter  ghosts;        /* global vector -> ghost_values (VfpaGridHaloBegin/End) */
  Vec         ghost_values;  /* x ghosts of the owned rows, then the owned x cells of the rows beside them */
  PetscBool   below, above;  /* a row ys - 1 / ys + ym exists on another rank (velocity split) */
  const PetscScalar  *state;     /* the array of the halo's vector U during a halo */
  const PetscScalar  *xghosts;   /* the array of ghost_values during a halo */
  const PetscScalar **row_base, **rows; /* during a halo: rows[j] for ys - 1 <= j <= ys + ym */
};

/* The distance in reals between x profiles of xm cells that a loop streams together (as rows of one
   block): xm rounded up to 4 KiB plus three cache lines, so that row k starts k * 192 bytes past a
   multiple of 4 KiB. With rows xm apart, an xm that is a multiple of 512 (a power of two from 512
   on) would put them all on the same sets of the 4 KiB-periodic L1 cache, beside the rows of f that
   the loop streams with them. */
#define VFPA_PROFILE_STRIDE(xm) (((xm) + 511) / 512 * 512 + 24)

PETSC_EXTERN PetscErrorCode VfpaGridCreate(MPI_Comm, VfpaGrid *);
PETSC_EXTERN PetscErrorCode VfpaGridSetFromOptions(VfpaGrid, VfpaParams);
PETSC_EXTERN PetscErrorCode VfpaGridSetStrengthRow(VfpaGrid, PetscBool);
PETSC_EXTERN PetscErrorCode VfpaGridSetUp(VfpaGrid);
PETSC_EXTERN PetscErrorCode VfpaGridView(VfpaGrid, PetscViewer);
PETSC_EXTERN PetscErrorCode VfpaGridDestroy(VfpaGrid *);

/* The halo: f[j][i] for the owned x cells xs <= i < xs + xm of the owned rows (read in place from the
   global vector, not copied) and, after HaloEnd, of the rows ys - 1 and ys + ym when another rank
   owns them; f[j][i] outside the owned x cells is not a ghost. The x ghost cells of the owned rows
   are read by VfpaGridXGhosts or VfpaGridGhostedRow after HaloEnd, until VfpaGridRestoreHalo.
   GetHalo is HaloBegin and HaloEnd. One halo at a time per grid. */
PETSC_EXTERN PetscErrorCode     VfpaGridHaloBegin(VfpaGrid, Vec, const PetscScalar *const **);
PETSC_EXTERN PetscErrorCode     VfpaGridHaloEnd(VfpaGrid, Vec);
PETSC_EXTERN PetscErrorCode     VfpaGridGetHalo(VfpaGrid, Vec, const PetscScalar *const **);
PETSC_EXTERN PetscErrorCode     VfpaGridRestoreHalo(VfpaGrid, Vec, const PetscScalar *const **);
PETSC_EXTERN const PetscScalar *VfpaGridXGhosts(VfpaGrid, PetscInt);
PETSC_EXTERN PetscErrorCode     VfpaGridGhostedRow(VfpaGrid, const PetscScalar *const *, PetscInt, PetscInt, PetscScalar *);
/* sum_i x_i y_i over n cells of two profiles (this rank's part: sum over the ranks with
   VfpaGridSumOverRow), with four partial sums: independent chains of additions, so the loop runs at
   the rate of the multiplications rather than at the latency of one chain of additions. */
static inline PetscReal VfpaProfileDot(PetscInt n, const PetscReal *restrict x, const PetscReal *restrict y)
{
  PetscReal s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  PetscInt  i  = 0;

  for (; i + 4 <= n; i += 4) {
    s0 += x[i] * y[i];
    s1 += x[i + 1] * y[i + 1];
    s2 += x[i + 2] * y[i + 2];
    s3 += x[i + 3] * y[i + 3];
  }
  for (; i < n; i++) s0 += x[i] * y[i];
  return (s0 + s1) + (s2 + s3);
}

/* The columns of row (i, j) of the velocity operators' matrices, into cols: f_{j-1} (for 0 < j < nv),
   f_j, f_{j+1} (for j < nv - 1), in this order; none beyond the walls, the diagonal alone on the
   strength row j = nv. Returns how many. */
PETSC_EXTERN PetscInt VfpaGridVelocityStencil(VfpaGrid, PetscInt, PetscInt, MatStencil[3]);

PETSC_EXTERN PetscErrorCode VfpaGridProfileCreate(VfpaGrid, PetscReal **);
PETSC_EXTERN PetscErrorCode VfpaGridProfileDestroy(VfpaGrid, PetscReal **);
PETSC_EXTERN PetscErrorCode VfpaGridSumOverColumn(VfpaGrid, PetscInt, PetscReal[]);
PETSC_EXTERN PetscErrorCode VfpaGridSumOverRow(VfpaGrid, PetscInt, PetscReal[]);
PETSC_EXTERN PetscErrorCode VfpaGridBroadcastStrength(VfpaGrid, PetscReal[]);

#endif
