/* Velocity moments of f, reduced along v. */
#include "vfpa_moments.h"
#include "vfpa_log.h"

PetscErrorCode VfpaMomentsCreate(VfpaGrid grid, VfpaMoments *moments)
{
  VfpaMoments m;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&m));
  m->grid = grid;
  PetscCall(PetscMalloc1(2 * grid->gxm, &m->buffer));
  m->rho  = m->buffer - grid->gxs;
  m->rhou = m->buffer + grid->gxm - grid->gxs;
  PetscCall(VfpaGridProfileCreate(grid, &m->u));
  *moments = m;
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaMomentsDestroy(VfpaMoments *moments)
{
  PetscFunctionBeginUser;
  if (!*moments) PetscFunctionReturn(0);
  PetscCall(PetscFree((*moments)->buffer));
  PetscCall(VfpaGridProfileDestroy((*moments)->grid, &(*moments)->u));
  PetscCall(PetscFree(*moments));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaMomentsBegin(VfpaMoments m)
{
  PetscFunctionBeginUser;
  PetscCall(PetscArrayzero(m->buffer, 2 * m->grid->gxm));
  PetscFunctionReturn(0);
}

/* Adds the owned cells of row j (row[i], global cell index i) when it is an f row. Memory: the row
   read once (in cache when called from the halo exchange), two profiles accumulated in cache. */
void VfpaMomentsAddRow(void *ctx, PetscInt j, const PetscScalar *row)
{
  VfpaMoments               m = (VfpaMoments)ctx;
  VfpaGrid                  g = m->grid;
  const PetscReal           v = j < g->nv ? g->v[j] : 0;
  const PetscScalar *restrict q = row + g->xs;
  PetscReal *restrict       rho = m->rho + g->xs, *restrict rhou = m->rhou + g->xs;

  if (j < g->vs || j >= g->vs + g->vm) return;
  for (PetscInt b = 0; b < g->xm; b++) {
    rho[b] += q[b];
    rhou[b] += v * q[b];
  }
}

static inline void AddCell(VfpaMoments m, PetscInt j, PetscInt i, PetscScalar f)
{
  m->rho[i] += f;
  m->rhou[i] += m->grid->v[j] * f;
}

/* The ghost cells of the owned rows of the ghosted local array f[j][i], then the sums over the
   column and u. */
PetscErrorCode VfpaMomentsEnd(VfpaMoments m, const PetscScalar *const *f)
{
  VfpaGrid g = m->grid;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(VFPA_Moments, 0, 0, 0, 0));
  for (PetscInt j = g->vs; j < g->vs + g->vm; j++) {
    for (PetscInt i = g->gxs; i < g->xs; i++) AddCell(m, j, i, f[j][i]);
    for (PetscInt i = g->xs + g->xm; i < g->gxs + g->gxm; i++) AddCell(m, j, i, f[j][i]);
  }
  for (PetscInt i = 0; i < 2 * g->gxm; i++) m->buffer[i] *= g->dv;
  PetscCall(VfpaGridSumOverColumn(g, 2 * g->gxm, m->buffer));
  for (PetscInt i = g->gxs; i < g->gxs + g->gxm; i++) m->u[i] = m->rho[i] > 0 ? m->rhou[i] / m->rho[i] : 0;
  PetscCall(PetscLogEventEnd(VFPA_Moments, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* All at once from the ghosted local array f[j][i]; every rank of a slab gets the same moments. */
PetscErrorCode VfpaMomentsCompute(VfpaMoments m, const PetscScalar *const *f)
{
  VfpaGrid g = m->grid;

  PetscFunctionBeginUser;
  PetscCall(VfpaMomentsBegin(m));
  for (PetscInt j = g->vs; j < g->vs + g->vm; j++) VfpaMomentsAddRow(m, j, f[j]);
  PetscCall(VfpaMomentsEnd(m, f));
  PetscFunctionReturn(0);
}

/* Total mass M = sum_i rho_i dx and momentum P = sum_i (rho u)_i dx of the computed moments. */
PetscErrorCode VfpaMomentsTotals(VfpaMoments m, PetscReal *mass, PetscReal *momentum)
{
  VfpaGrid  g      = m->grid;
  PetscReal tot[2] = {0, 0};

  PetscFunctionBeginUser;
  for (PetscInt i = g->xs; i < g->xs + g->xm; i++) {
    tot[0] += m->rho[i] * g->dx;
    tot[1] += m->rhou[i] * g->dx;
  }
  PetscCall(VfpaGridSumOverRow(g, 2, tot));
  if (mass) *mass = tot[0];
  if (momentum) *momentum = tot[1];
  PetscFunctionReturn(0);
}
