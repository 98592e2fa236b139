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

/* f is the ghosted local array f[j][i] of the DMDA; rows are summed over the owned velocity range
   and then over the column, so every rank of a slab gets the same moments.
   Memory: f read once (ghosted x range), two profiles accumulated in cache. */
PetscErrorCode VfpaMomentsCompute(VfpaMoments m, const PetscScalar *const *f)
{
  VfpaGrid g = m->grid;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(VFPA_Moments, 0, 0, 0, 0));
  PetscCall(PetscArrayzero(m->buffer, 2 * g->gxm));
  for (PetscInt j = g->vs; j < g->vs + g->vm; j++) {
    const PetscReal v = g->v[j];
    for (PetscInt i = g->gxs; i < g->gxs + g->gxm; i++) {
      m->rho[i] += f[j][i];
      m->rhou[i] += v * f[j][i];
    }
  }
  for (PetscInt i = 0; i < 2 * g->gxm; i++) m->buffer[i] *= g->dv;
  PetscCall(VfpaGridSumOverColumn(g, 2 * g->gxm, m->buffer));
  for (PetscInt i = g->gxs; i < g->gxs + g->gxm; i++) m->u[i] = m->rho[i] > 0 ? m->rhou[i] / m->rho[i] : 0;
  PetscCall(PetscLogEventEnd(VFPA_Moments, 0, 0, 0, 0));
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
