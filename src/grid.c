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
  grid->vs = ys;
  grid->vm = PetscMin(ys + ym, grid->nv) - ys;
  PetscFunctionReturn(0);
}

/* The ghost part of the halo exchange: a scatter into the ghost cells of the local vector only,
   built from the DMDA's local-to-global map. With the star stencil the corners (ghosts in x and in
   v) stay out, as in DMGlobalToLocal. */
static PetscErrorCode CreateGhostScatter(VfpaGrid grid)
{
  ISLocalToGlobalMapping ltog;
  const PetscInt        *global;
  PetscInt               ys, ym, gys, gym, n = 0, *from, *to;
  DMDAStencilType        stencil;
  Vec                    U, Uloc;
  IS                     isfrom, isto;

  PetscFunctionBeginUser;
  PetscCall(DMDAGetInfo(grid->da, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, &stencil));
  PetscCall(DMDAGetCorners(grid->da, NULL, &ys, NULL, NULL, &ym, NULL));
  PetscCall(DMDAGetGhostCorners(grid->da, NULL, &gys, NULL, NULL, &gym, NULL));
  PetscCall(DMGetLocalToGlobalMapping(grid->da, &ltog));
  PetscCall(ISLocalToGlobalMappingGetIndices(ltog, &global));
  PetscCall(PetscMalloc2(grid->gxm * gym, &from, grid->gxm * gym, &to));
  for (PetscInt j = gys; j < gys + gym; j++)
    for (PetscInt i = grid->gxs; i < grid->gxs + grid->gxm; i++) {
      const PetscInt  local = (j - gys) * grid->gxm + i - grid->gxs;
      const PetscBool xghost = (PetscBool)(i < grid->xs || i >= grid->xs + grid->xm), vghost = (PetscBool)(j < ys || j >= ys + ym);
      if (!(xghost || vghost) || (xghost && vghost && stencil == DMDA_STENCIL_STAR) || global[local] < 0) continue;
      from[n] = global[local];
      to[n++] = local;
    }
  PetscCall(ISLocalToGlobalMappingRestoreIndices(ltog, &global));
  PetscCall(ISCreateGeneral(PETSC_COMM_SELF, n, from, PETSC_COPY_VALUES, &isfrom));
  PetscCall(ISCreateGeneral(PETSC_COMM_SELF, n, to, PETSC_COPY_VALUES, &isto));
  PetscCall(PetscFree2(from, to));
  PetscCall(DMCreateGlobalVector(grid->da, &U));
  PetscCall(DMCreateLocalVector(grid->da, &Uloc));
  PetscCall(VecScatterCreate(U, isfrom, Uloc, isto, &grid->ghosts));
  PetscCall(VecDestroy(&U));
  PetscCall(VecDestroy(&Uloc));
  PetscCall(ISDestroy(&isfrom));
  PetscCall(ISDestroy(&isto));
  PetscFunctionReturn(0);
}

/* The halo exchange, what DMGlobalToLocal does: the owned cells of U copied row by row into the
   ghosted local vector (a memory copy, 16 bytes per cell), then the ghost cells by the scatter.
   PETSc's own exchange moves every cell through an index list, more than twice as slowly. With
   visit, each row is handed over while it is in cache (the velocity moments are summed so). */
PetscErrorCode VfpaGridGlobalToLocal(VfpaGrid grid, Vec U, Vec Uloc, VfpaRowVisitor visit, void *ctx)
{
  const PetscScalar *u;
  PetscScalar       *loc;
  PetscInt           ys, ym, gys;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(VFPA_Halo, 0, 0, 0, 0));
  PetscCall(DMDAGetCorners(grid->da, NULL, &ys, NULL, NULL, &ym, NULL));
  PetscCall(DMDAGetGhostCorners(grid->da, NULL, &gys, NULL, NULL, NULL, NULL));
  PetscCall(VecGetArrayRead(U, &u));
  PetscCall(VecGetArray(Uloc, &loc));
  for (PetscInt j = ys; j < ys + ym; j++) {
    PetscScalar *row = loc + (j - gys) * grid->gxm - grid->gxs; /* row[i], global cell index i */
    PetscCall(PetscArraycpy(row + grid->xs, u + (j - ys) * grid->xm, grid->xm));
    if (visit) visit(ctx, j, row);
  }
  PetscCall(VecRestoreArray(Uloc, &loc));
  PetscCall(VecRestoreArrayRead(U, &u));
  PetscCall(VecScatterBegin(grid->ghosts, U, Uloc, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(grid->ghosts, U, Uloc, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(PetscLogEventEnd(VFPA_Halo, 0, 0, 0, 0));
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
