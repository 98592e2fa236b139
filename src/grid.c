/* Phase-space grid: DMDA over (x, v), ownership, and the reductions along v and along x. */
#include "vfpa_grid.h"
#include "vfpa_log.h"
#include "vfpa_sys.h"

PetscErrorCode VfpaGridCreate(MPI_Comm comm, VfpaGrid *grid)
{
  PetscFunctionBeginUser;
  PetscCall(PetscNew(grid));
  (*grid)->comm        = comm;
  (*grid)->nx          = 64;
  (*grid)->nv          = 64;
  (*grid)->L           = 1.0;
  (*grid)->vmax        = 8.0;
  (*grid)->px          = PETSC_DECIDE;
  (*grid)->pv          = 1;
  (*grid)->column_comm = MPI_COMM_NULL;
  (*grid)->row_comm    = MPI_COMM_NULL;
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaGridSetFromOptions(VfpaGrid grid, VfpaParams params)
{
  PetscFunctionBeginUser;
  PetscOptionsBegin(grid->comm, NULL, "vfpa phase-space grid", "VfpaGrid");
  PetscCall(PetscOptionsInt("-nx", "number of cells in x", "VfpaGrid", grid->nx, &grid->nx, NULL));
  PetscCall(PetscOptionsInt("-nv", "number of cells in v", "VfpaGrid", grid->nv, &grid->nv, NULL));
  PetscCall(PetscOptionsReal("-L", "length of the periodic x domain [0, L)", "VfpaGrid", grid->L, &grid->L, NULL));
  PetscCall(PetscOptionsReal("-vmax", "velocity box [-vmax, vmax] (zero-flux walls)", "VfpaGrid", grid->vmax, &grid->vmax, NULL));
  PetscCall(PetscOptionsInt("-da_processors_x", "ranks along x (default: the number of ranks / da_processors_y)", "VfpaGrid", grid->px, &grid->px, NULL));
  PetscCall(PetscOptionsInt("-da_processors_y", "ranks along v; velocity sums are then reduced over the ranks that share an x slab", "VfpaGrid", grid->pv, &grid->pv, NULL));
  PetscOptionsEnd();
  PetscCheck(grid->nx >= 4, grid->comm, PETSC_ERR_USER_INPUT, "-nx = %" PetscInt_FMT " is too small: it must be at least 4", grid->nx);
  PetscCheck(grid->nv >= 4, grid->comm, PETSC_ERR_USER_INPUT, "-nv = %" PetscInt_FMT " is too small: it must be at least 4", grid->nv);
  PetscCall(VfpaCheckReal(grid->comm, "-L", grid->L, 0, PETSC_MAX_REAL, PETSC_TRUE, PETSC_FALSE));
  PetscCall(VfpaCheckReal(grid->comm, "-vmax", grid->vmax, 0, PETSC_MAX_REAL, PETSC_TRUE, PETSC_FALSE));
  PetscCall(VfpaParamsAddInt(params, "nx", grid->nx));
  PetscCall(VfpaParamsAddInt(params, "nv", grid->nv));
  PetscCall(VfpaParamsAddReal(params, "L", grid->L));
  PetscCall(VfpaParamsAddReal(params, "vmax", grid->vmax));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaGridSetStrengthRow(VfpaGrid grid, PetscBool flag)
{
  PetscFunctionBeginUser;
  grid->strength_row = flag;
  PetscFunctionReturn(0);
}

/* The process layout: -da_processors_y ranks in v (default 1) and the rest in x, checked before
   the DMDA would refuse it with a less helpful message: each rank needs at least two cells in x and
   two rows in v (the stencil width). */
static PetscErrorCode ChooseLayout(VfpaGrid grid, PetscInt nrows, PetscInt *layout_x, PetscInt *layout_v)
{
  PetscMPIInt size;
  PetscInt    px = grid->px, pv = grid->pv;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(grid->comm, &size));
  PetscCheck(pv >= 1 && size % pv == 0, grid->comm, PETSC_ERR_USER_INPUT, "-da_processors_y %" PetscInt_FMT " must divide the number of ranks (%d)", pv, size);
  if (px == PETSC_DECIDE) px = size / pv;
  PetscCheck(px * pv == size, grid->comm, PETSC_ERR_USER_INPUT, "-da_processors_x %" PetscInt_FMT " times -da_processors_y %" PetscInt_FMT " must equal the number of ranks (%d)", px, pv, size);
  PetscCheck(grid->nx >= 2 * px, grid->comm, PETSC_ERR_USER_INPUT, "-nx %" PetscInt_FMT " is too small for %" PetscInt_FMT " ranks in x: each needs at least 2 cells", grid->nx, px);
  PetscCheck(nrows >= 2 * pv, grid->comm, PETSC_ERR_USER_INPUT, "-nv %" PetscInt_FMT " is too small for %" PetscInt_FMT " ranks in v (-da_processors_y): each needs at least 2 rows", grid->nv, pv);
  *layout_x = px;
  *layout_v = pv;
  PetscFunctionReturn(0);
}

static PetscErrorCode SetUpCommunicators(VfpaGrid grid)
{
  PetscInt    ys, ym, nrows = grid->nv + (grid->strength_row ? 1 : 0);
  PetscMPIInt colrank, root;

  PetscFunctionBeginUser;
  PetscCall(DMDAGetCorners(grid->da, NULL, &ys, NULL, NULL, &ym, NULL));
  PetscCallMPI(MPI_Comm_split(grid->comm, (PetscMPIInt)grid->xs, (PetscMPIInt)ys, &grid->column_comm));
  PetscCallMPI(MPI_Comm_split(grid->comm, (PetscMPIInt)ys, (PetscMPIInt)grid->xs, &grid->row_comm));
  PetscCallMPI(MPI_Comm_size(grid->column_comm, &grid->column_size));
  PetscCallMPI(MPI_Comm_rank(grid->column_comm, &colrank));
  grid->owns_strength = (PetscBool)(grid->strength_row && ys + ym == nrows);
  root                = grid->owns_strength ? colrank : -1;
  PetscCallMPI(MPI_Allreduce(&root, &grid->strength_root, 1, MPI_INT, MPI_MAX, grid->column_comm));
  grid->ys = ys;
  grid->ym = ym;
  grid->vs = ys;
  grid->vm = PetscMin(ys + ym, grid->nv) - ys;
  PetscFunctionReturn(0);
}

/* The x ghosts of every owned row, then the owned x cells of the ghost rows just below and above the
   owned rows (a velocity split), in grid->ghost_values, filled by a scatter from the global vector
   built from the DMDA's local-to-global map. */
static PetscErrorCode CreateGhostScatter(VfpaGrid grid)
{
  ISLocalToGlobalMapping ltog;
  const PetscInt        *global;
  const PetscInt         nrows = grid->nv + (grid->strength_row ? 1 : 0), nghost = grid->gxm - grid->xm;
  PetscInt               gys, n = 0, size, *from, *to;
  Vec                    U;
  IS                     isfrom, isto;

  PetscFunctionBeginUser;
  PetscCall(DMDAGetGhostCorners(grid->da, NULL, &gys, NULL, NULL, NULL, NULL));
  grid->below = grid->ys > 0;
  grid->above = grid->ys + grid->ym < nrows;
  size        = grid->ym * nghost + (grid->below + grid->above) * grid->xm;
  PetscCall(DMGetLocalToGlobalMapping(grid->da, &ltog));
  PetscCall(ISLocalToGlobalMappingGetIndices(ltog, &global));
  PetscCall(PetscMalloc2(size, &from, size, &to));
  for (PetscInt j = grid->ys; j < grid->ys + grid->ym; j++)
    for (PetscInt i = grid->gxs; i < grid->gxs + grid->gxm; i++)
      if (i < grid->xs || i >= grid->xs + grid->xm) from[n++] = global[(j - gys) * grid->gxm + i - grid->gxs];
  for (PetscInt side = 0; side < 2; side++) {
    const PetscInt j = side ? grid->ys + grid->ym : grid->ys - 1;
    if (!(side ? grid->above : grid->below)) continue;
    for (PetscInt i = grid->xs; i < grid->xs + grid->xm; i++) from[n++] = global[(j - gys) * grid->gxm + i - grid->gxs];
  }
  PetscCall(ISLocalToGlobalMappingRestoreIndices(ltog, &global));
  for (PetscInt k = 0; k < n; k++) {
    PetscCheck(from[k] >= 0, PETSC_COMM_SELF, PETSC_ERR_PLIB, "a ghost cell outside the grid");
    to[k] = k;
  }
  PetscCall(ISCreateGeneral(PETSC_COMM_SELF, n, from, PETSC_COPY_VALUES, &isfrom));
  PetscCall(ISCreateGeneral(PETSC_COMM_SELF, n, to, PETSC_COPY_VALUES, &isto));
  PetscCall(PetscFree2(from, to));
  PetscCall(VecCreateSeq(PETSC_COMM_SELF, n, &grid->ghost_values));
  PetscCall(DMCreateGlobalVector(grid->da, &U));
  PetscCall(VecScatterCreate(U, isfrom, grid->ghost_values, isto, &grid->ghosts));
  PetscCall(VecDestroy(&U));
  PetscCall(ISDestroy(&isfrom));
  PetscCall(ISDestroy(&isto));
  PetscCall(PetscCalloc1(grid->ym + 2, &grid->row_base));
  grid->rows = grid->row_base - (grid->ys - 1);
  PetscFunctionReturn(0);
}

/* The halo exchange, begun: f[j] points into the array of U for the owned rows (no copy), and the
   ghosts start to travel; work on the owned cells can proceed until VfpaGridHaloEnd. */
PetscErrorCode VfpaGridHaloBegin(VfpaGrid grid, Vec U, const PetscScalar *const **f)
{
  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(VFPA_Halo, 0, 0, 0, 0));
  PetscCall(VecScatterBegin(grid->ghosts, U, grid->ghost_values, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecGetArrayRead(U, &grid->state));
  for (PetscInt j = grid->ys; j < grid->ys + grid->ym; j++) grid->rows[j] = grid->state + (j - grid->ys) * grid->xm - grid->xs;
  *f = grid->rows;
  PetscCall(PetscLogEventEnd(VFPA_Halo, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* The halo exchange, completed: the rows beside the owned ones (f[ys - 1], f[ys + ym]) and the x
   ghosts of the owned rows are there. */
PetscErrorCode VfpaGridHaloEnd(VfpaGrid grid, Vec U)
{
  const PetscInt beside = grid->ym * (grid->gxm - grid->xm);

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(VFPA_Halo, 0, 0, 0, 0));
  PetscCall(VecScatterEnd(grid->ghosts, U, grid->ghost_values, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecGetArrayRead(grid->ghost_values, &grid->xghosts));
  grid->rows[grid->ys - 1]        = grid->below ? grid->xghosts + beside - grid->xs : NULL;
  grid->rows[grid->ys + grid->ym] = grid->above ? grid->xghosts + beside + grid->below * grid->xm - grid->xs : NULL;
  PetscCall(PetscLogEventEnd(VFPA_Halo, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* Both halves of the halo exchange at once. */
PetscErrorCode VfpaGridGetHalo(VfpaGrid grid, Vec U, const PetscScalar *const **f)
{
  PetscFunctionBeginUser;
  PetscCall(VfpaGridHaloBegin(grid, U, f));
  PetscCall(VfpaGridHaloEnd(grid, U));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaGridRestoreHalo(VfpaGrid grid, Vec U, const PetscScalar *const **f)
{
  PetscFunctionBeginUser;
  PetscCall(VecRestoreArrayRead(grid->ghost_values, &grid->xghosts));
  PetscCall(VecRestoreArrayRead(U, &grid->state));
  *f = NULL;
  PetscFunctionReturn(0);
}

/* The x ghosts of owned row j during a halo: the xs - gxs cells left of the slab, then the cells
   right of it. */
const PetscScalar *VfpaGridXGhosts(VfpaGrid grid, PetscInt j)
{
  return grid->xghosts + (j - grid->ys) * (grid->gxm - grid->xm);
}

PetscInt VfpaGridVelocityStencil(VfpaGrid grid, PetscInt i, PetscInt j, MatStencil cols[3])
{
  PetscInt n = 0;

  if (j > 0 && j < grid->nv) cols[n++] = (MatStencil){.i = i, .j = j - 1};
  cols[n++] = (MatStencil){.i = i, .j = j};
  if (j < grid->nv - 1) cols[n++] = (MatStencil){.i = i, .j = j + 1};
  return n;
}

/* p[i] = f[j][i] for the x ghosts of owned row j and the `inner` owned cells next to each of its
   ends (every owned cell when 2 inner >= xm), p a ghosted profile, during a halo. */
PetscErrorCode VfpaGridGhostedRow(VfpaGrid grid, const PetscScalar *const *f, PetscInt j, PetscInt inner, PetscScalar *p)
{
  const PetscScalar *ghosts = VfpaGridXGhosts(grid, j);
  const PetscInt     xs = grid->xs, xe = grid->xs + grid->xm, left = xs - grid->gxs, right = grid->gxs + grid->gxm - xe;

  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < left; k++) p[grid->gxs + k] = ghosts[k];
  if (2 * inner >= grid->xm) PetscCall(PetscArraycpy(p + xs, f[j] + xs, grid->xm));
  else {
    PetscCall(PetscArraycpy(p + xs, f[j] + xs, inner));
    PetscCall(PetscArraycpy(p + xe - inner, f[j] + xe - inner, inner));
  }
  for (PetscInt k = 0; k < right; k++) p[xe + k] = ghosts[left + k];
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaGridSetUp(VfpaGrid grid)
{
  PetscInt nrows = grid->nv + (grid->strength_row ? 1 : 0), M, N, px, pv;

  PetscFunctionBeginUser;
  PetscCall(ChooseLayout(grid, nrows, &px, &pv));
  grid->px = px;
  grid->pv = pv;
  grid->dx = grid->L / grid->nx;
  grid->dv = 2 * grid->vmax / grid->nv;
  PetscCall(DMDACreate2d(grid->comm, DM_BOUNDARY_PERIODIC, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR, grid->nx, nrows, px, pv, 1, 2, NULL, NULL, &grid->da));
  PetscCall(DMSetFromOptions(grid->da));
  PetscCall(DMSetUp(grid->da));
  PetscCall(DMDAGetInfo(grid->da, NULL, &M, &N, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL));
  PetscCheck(M == grid->nx && N == nrows, grid->comm, PETSC_ERR_USER_INPUT, "the grid size is set by -nx and -nv; do not use -da_grid_x/-da_grid_y or -da_refine");
  PetscCall(DMDASetFieldName(grid->da, 0, "f"));
  PetscCall(DMDAGetCorners(grid->da, &grid->xs, NULL, NULL, &grid->xm, NULL, NULL));
  PetscCall(DMDAGetGhostCorners(grid->da, &grid->gxs, NULL, NULL, &grid->gxm, NULL, NULL));
  PetscCall(SetUpCommunicators(grid));
  PetscCall(CreateGhostScatter(grid));

  PetscCall(VfpaGridProfileCreate(grid, &grid->x));
  for (PetscInt i = grid->gxs; i < grid->gxs + grid->gxm; i++) grid->x[i] = (i + 0.5) * grid->dx;
  PetscCall(PetscMalloc2(grid->nv, &grid->v, grid->nv - 1, &grid->vface));
  for (PetscInt j = 0; j < grid->nv; j++) grid->v[j] = -grid->vmax + (j + 0.5) * grid->dv;
  for (PetscInt j = 0; j < grid->nv - 1; j++) grid->vface[j] = -grid->vmax + (j + 1) * grid->dv;
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaGridView(VfpaGrid grid, PetscViewer viewer)
{
  PetscInt px, pv;

  PetscFunctionBeginUser;
  PetscCall(DMDAGetInfo(grid->da, NULL, NULL, NULL, NULL, &px, &pv, NULL, NULL, NULL, NULL, NULL, NULL, NULL));
  PetscCall(PetscViewerASCIIPrintf(viewer, "grid: %" PetscInt_FMT " x %" PetscInt_FMT " cells on [0, %g) x [-%g, %g], dx = %g, dv = %g; ranks %" PetscInt_FMT " in x x %" PetscInt_FMT " in v%s\n", grid->nx, grid->nv, (double)grid->L,
                                   (double)grid->vmax, (double)grid->vmax, (double)grid->dx, (double)grid->dv, px, pv, grid->strength_row ? "; strength row for s" : ""));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaGridDestroy(VfpaGrid *grid)
{
  PetscFunctionBeginUser;
  if (!*grid) PetscFunctionReturn(0);
  if ((*grid)->da) {
    PetscCall(VfpaGridProfileDestroy(*grid, &(*grid)->x));
    PetscCall(PetscFree2((*grid)->v, (*grid)->vface));
    PetscCall(VecScatterDestroy(&(*grid)->ghosts));
    PetscCall(VecDestroy(&(*grid)->ghost_values));
    PetscCall(PetscFree((*grid)->row_base));
    PetscCallMPI(MPI_Comm_free(&(*grid)->column_comm));
    PetscCallMPI(MPI_Comm_free(&(*grid)->row_comm));
    PetscCall(DMDestroy(&(*grid)->da));
  }
  PetscCall(PetscFree(*grid));
  PetscFunctionReturn(0);
}

/* A zeroed per-x profile on the ghosted x range, indexed by the global cell index. */
PetscErrorCode VfpaGridProfileCreate(VfpaGrid grid, PetscReal **profile)
{
  PetscReal *base;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(grid->gxm, &base));
  *profile = base - grid->gxs;
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaGridProfileDestroy(VfpaGrid grid, PetscReal **profile)
{
  PetscFunctionBeginUser;
  if (*profile) {
    PetscReal *base = *profile + grid->gxs;
    PetscCall(PetscFree(base));
  }
  *profile = NULL;
  PetscFunctionReturn(0);
}

/* In-place sum over the ranks that share this x slab (the velocity direction). */
PetscErrorCode VfpaGridSumOverColumn(VfpaGrid grid, PetscInt n, PetscReal buf[])
{
  PetscFunctionBeginUser;
  if (grid->column_size > 1) PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, buf, (PetscMPIInt)n, MPIU_REAL, MPIU_SUM, grid->column_comm));
  PetscFunctionReturn(0);
}

/* In-place sum over the x slabs (the ranks that share this velocity range). */
PetscErrorCode VfpaGridSumOverRow(VfpaGrid grid, PetscInt n, PetscReal buf[])
{
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, buf, (PetscMPIInt)n, MPIU_REAL, MPIU_SUM, grid->row_comm));
  PetscFunctionReturn(0);
}

/* Give every rank of the column the ghosted strength profile held by the owner of the strength row. */
PetscErrorCode VfpaGridBroadcastStrength(VfpaGrid grid, PetscReal profile[])
{
  PetscFunctionBeginUser;
  if (grid->column_size > 1) PetscCallMPI(MPI_Bcast(profile + grid->gxs, (PetscMPIInt)grid->gxm, MPIU_REAL, grid->strength_root, grid->column_comm));
  PetscFunctionReturn(0);
}
