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

/* rho += sum_j f_j and rho u += sum_j v_j f_j over the owned rows j0 <= j < j0 + 4: the rows are added
   one after the other, as four single-row sweeps would (bitwise), in one sweep over x. */
static inline void AddFourRows(VfpaMoments m, const PetscScalar *const *f, PetscInt j0)
{
  VfpaGrid                    g  = m->grid;
  const PetscInt              xs = g->xs;
  const PetscReal             v0 = g->v[j0], v1 = g->v[j0 + 1], v2 = g->v[j0 + 2], v3 = g->v[j0 + 3];
  const PetscScalar *restrict q0 = f[j0] + xs, *restrict q1 = f[j0 + 1] + xs, *restrict q2 = f[j0 + 2] + xs, *restrict q3 = f[j0 + 3] + xs;
  PetscReal *restrict         rho = m->rho + xs, *restrict rhou = m->rhou + xs;

  for (PetscInt b = 0; b < g->xm; b++) {
    rho[b]  = rho[b] + q0[b] + q1[b] + q2[b] + q3[b];
    rhou[b] = rhou[b] + v0 * q0[b] + v1 * q1[b] + v2 * q2[b] + v3 * q3[b];
  }
}

static inline void AddRow(VfpaMoments m, const PetscScalar *const *f, PetscInt j)
{
  VfpaGrid                    g  = m->grid;
  const PetscReal             v  = g->v[j];
  const PetscScalar *restrict q  = f[j] + g->xs;
  PetscReal *restrict         rho = m->rho + g->xs, *restrict rhou = m->rhou + g->xs;

  for (PetscInt b = 0; b < g->xm; b++) {
    rho[b] += q[b];
    rhou[b] += v * q[b];
  }
}

/* The sums over the owned cells of the owned f rows of the halo f (VfpaGridHaloBegin), row after row.
   Memory: f read once, two profiles accumulated in cache. */
PetscErrorCode VfpaMomentsBegin(VfpaMoments m, const PetscScalar *const *f)
{
  VfpaGrid g = m->grid;
  PetscInt j = g->vs;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(VFPA_Moments, 0, 0, 0, 0));
  PetscCall(PetscArrayzero(m->buffer, 2 * g->gxm));
  for (; j + 4 <= g->vs + g->vm; j += 4) AddFourRows(m, f, j);
  for (; j < g->vs + g->vm; j++) AddRow(m, f, j);
  PetscCall(PetscLogEventEnd(VFPA_Moments, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

static inline void AddCell(VfpaMoments m, PetscInt j, PetscInt i, PetscScalar f)
{
  m->rho[i] += f;
  m->rhou[i] += m->grid->v[j] * f;
}

/* The x ghost cells of the owned rows (once the halo is complete, VfpaGridHaloEnd), then the sums over
   the column and u. */
PetscErrorCode VfpaMomentsEnd(VfpaMoments m)
{
  VfpaGrid       g    = m->grid;
  const PetscInt left = g->xs - g->gxs, right = g->gxs + g->gxm - g->xs - g->xm;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(VFPA_Moments, 0, 0, 0, 0));
  for (PetscInt j = g->vs; j < g->vs + g->vm; j++) {
    const PetscScalar *ghosts = VfpaGridXGhosts(g, j);
    for (PetscInt k = 0; k < left; k++) AddCell(m, j, g->gxs + k, ghosts[k]);
    for (PetscInt k = 0; k < right; k++) AddCell(m, j, g->xs + g->xm + k, ghosts[left + k]);
  }
  for (PetscInt i = 0; i < 2 * g->gxm; i++) m->buffer[i] *= g->dv;
  PetscCall(VfpaGridSumOverColumn(g, 2 * g->gxm, m->buffer));
  for (PetscInt i = g->gxs; i < g->gxs + g->gxm; i++) m->u[i] = m->rho[i] > 0 ? m->rhou[i] / m->rho[i] : 0;
  PetscCall(PetscLogEventEnd(VFPA_Moments, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* All at once from the halo f of the state (VfpaGridGetHalo); every rank of a slab gets the same
   moments. */
PetscErrorCode VfpaMomentsCompute(VfpaMoments m, const PetscScalar *const *f)
{
  PetscFunctionBeginUser;
  PetscCall(VfpaMomentsBegin(m, f));
  PetscCall(VfpaMomentsEnd(m));
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
