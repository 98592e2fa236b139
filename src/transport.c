/* Upwind finite-volume transport in x. */
#include <math.h>
#include "vfpa_transport.h"
#include "vfpa_log.h"
#include "vfpa_sys.h"

const char *const VfpaLimiters[] = {"minmod", "vanleer", "mc", NULL};

PetscErrorCode VfpaTransportCreate(MPI_Comm comm, VfpaTransport *transport)
{
  PetscFunctionBeginUser;
  PetscCall(PetscNew(transport));
  (*transport)->comm    = comm;
  (*transport)->order   = 2;
  (*transport)->limiter = VFPA_LIMITER_VANLEER;
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaTransportSetFromOptions(VfpaTransport t, VfpaParams params)
{
  char     limiter[64];
  PetscInt index;

  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(limiter, VfpaLimiters[t->limiter], sizeof(limiter)));
  PetscOptionsBegin(t->comm, NULL, "vfpa transport in x", "VfpaTransport");
  PetscCall(PetscOptionsInt("-transport_order", "order of the upwind reconstruction: 1 or 2", "VfpaTransport", t->order, &t->order, NULL));
  PetscCall(PetscOptionsString("-transport_limiter", "slope limiter of the second-order reconstruction: minmod, vanleer or mc", "VfpaTransport", limiter, limiter, sizeof(limiter), NULL));
  PetscOptionsEnd();
  PetscCheck(t->order == 1 || t->order == 2, t->comm, PETSC_ERR_USER_INPUT, "-transport_order %" PetscInt_FMT " is not supported: use 1 or 2", t->order);
  PetscCall(VfpaChoiceFind(t->comm, VfpaLimiters, "-transport_limiter", limiter, &index));
  t->limiter = (VfpaLimiter)index;
  PetscCall(VfpaParamsAddInt(params, "transport_order", t->order));
  PetscCall(VfpaParamsAddString(params, "transport_limiter", VfpaLimiters[t->limiter]));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaTransportSetUp(VfpaTransport t, VfpaGrid grid)
{
  PetscFunctionBeginUser;
  t->grid = grid;
  PetscCall(PetscMalloc1(grid->xm + 1, &t->face));
  PetscCall(VfpaGridProfileCreate(grid, &t->row));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaTransportView(VfpaTransport t, PetscViewer viewer)
{
  PetscFunctionBeginUser;
  if (t->order == 1) PetscCall(PetscViewerASCIIPrintf(viewer, "transport: first-order upwind\n"));
  else PetscCall(PetscViewerASCIIPrintf(viewer, "transport: second-order upwind, %s limiter\n", VfpaLimiters[t->limiter]));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaTransportDestroy(VfpaTransport *transport)
{
  PetscFunctionBeginUser;
  if (!*transport) PetscFunctionReturn(0);
  PetscCall(PetscFree((*transport)->face));
  if ((*transport)->grid) PetscCall(VfpaGridProfileDestroy((*transport)->grid, &(*transport)->row));
  PetscCall(PetscFree(*transport));
  PetscFunctionReturn(0);
}

/* Limited slope from the backward and forward differences a, b. Every limiter here returns
   |slope| <= 2 min(|a|, |b|) and zero at extrema, so a face value f_i +- slope/2 lies between the
   neighbouring cell values. Written without branches (selects only), so that the loops over x
   vectorise once the limiter is a constant. */
static inline PetscReal Slope(VfpaLimiter limiter, PetscReal a, PetscReal b)
{
  const PetscReal ab = a * b;
  PetscReal       slope = 0;
  switch (limiter) {
  case VFPA_LIMITER_MINMOD:
    slope = copysign(PetscMin(PetscAbsReal(a), PetscAbsReal(b)), a);
    break;
  case VFPA_LIMITER_VANLEER:
    slope = 2 * ab / (a + b);
    break;
  case VFPA_LIMITER_MC:
    slope = copysign(PetscMin(2 * PetscMin(PetscAbsReal(a), PetscAbsReal(b)), 0.5 * PetscAbsReal(a + b)), a);
    break;
  }
  return ab > 0 ? slope : 0;
}

/* Upwind value at face i+1/2 of the ghosted profile q for a velocity of sign `positive`. */
static inline PetscReal FaceValue(PetscInt order, VfpaLimiter limiter, const PetscScalar *q, PetscInt i, PetscBool positive)
{
  if (positive) return order == 1 ? q[i] : q[i] + 0.5 * Slope(limiter, q[i] - q[i - 1], q[i + 1] - q[i]);
  return order == 1 ? q[i + 1] : q[i + 1] - 0.5 * Slope(limiter, q[i + 1] - q[i], q[i + 2] - q[i + 1]);
}

/* face[k] = v q^upwind at the faces i+1/2, i0 <= i < i1 (k = i - xs + 1); one loop per sign of v,
   with order and limiter constants once inlined (see FaceFluxes). */
static inline void FaceFluxesWith(PetscInt order, VfpaLimiter limiter, VfpaGrid g, PetscReal v, const PetscScalar *restrict q, PetscInt i0, PetscInt i1, PetscReal *restrict face)
{
  if (v > 0)
    for (PetscInt i = i0; i < i1; i++) face[i - g->xs + 1] = v * FaceValue(order, limiter, q, i, PETSC_TRUE);
  else
    for (PetscInt i = i0; i < i1; i++) face[i - g->xs + 1] = v * FaceValue(order, limiter, q, i, PETSC_FALSE);
}

static void FaceFluxes(const VfpaTransport t, PetscReal v, const PetscScalar *q, PetscInt i0, PetscInt i1, PetscReal *face)
{
  if (t->order == 1) {
    FaceFluxesWith(1, VFPA_LIMITER_MINMOD, t->grid, v, q, i0, i1, face);
    return;
  }
  switch (t->limiter) {
  case VFPA_LIMITER_MINMOD:
    FaceFluxesWith(2, VFPA_LIMITER_MINMOD, t->grid, v, q, i0, i1, face);
    break;
  case VFPA_LIMITER_VANLEER:
    FaceFluxesWith(2, VFPA_LIMITER_VANLEER, t->grid, v, q, i0, i1, face);
    break;
  case VFPA_LIMITER_MC:
    FaceFluxesWith(2, VFPA_LIMITER_MC, t->grid, v, q, i0, i1, face);
    break;
  }
}

/* Owned cells next to each end of the slab that the two end faces there reach (the stencil is
   i-1 .. i+2 for face i+1/2). */
#define EDGE_CELLS 3

/* rhs[j][i] = -(F_{i+1/2} - F_{i-1/2}) / dx with F = v_j f^upwind, for the owned cells of the rows
   j0 .. j1-1; f is the halo of the state (VfpaGridGetHalo). The two faces at each end of the slab
   (fewer on slabs of under 4 cells) are computed from the row's ends with their x ghosts (copied
   into t->row), the others straight from f. Each face flux is computed once. transport is the
   VfpaTransport (a void pointer, so that this is a VfpaRowsSetter for VfpaFokkerPlanckApply).
   Memory: f read once, rhs written once. */
PetscErrorCode VfpaTransportSetRows(void *transport, const PetscScalar *const *f, PetscInt j0, PetscInt j1, PetscScalar **rhs)
{
  VfpaTransport             t    = (VfpaTransport)transport;
  VfpaGrid                  g    = t->grid;
  const PetscInt            xs   = g->xs, xe = g->xs + g->xm, right = PetscMax(xs + 1, xe - 2); /* the first face of the right end */
  const PetscReal           rdx  = 1 / g->dx;
  const PetscReal *restrict face = t->face;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(VFPA_Transport, 0, 0, 0, 0));
  for (PetscInt j = j0; j < j1; j++) {
    PetscScalar *restrict row = rhs[j] + xs;
    PetscCall(VfpaGridGhostedRow(g, f, j, EDGE_CELLS, t->row));
    FaceFluxes(t, g->v[j], t->row, xs - 1, xs + 1, t->face);
    FaceFluxes(t, g->v[j], f[j], xs + 1, right, t->face);
    FaceFluxes(t, g->v[j], t->row, right, xe, t->face);
    for (PetscInt k = 0; k < g->xm; k++) row[k] = -(face[k + 1] - face[k]) * rdx;
  }
  PetscCall(PetscLogEventEnd(VFPA_Transport, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* Transport of every owned velocity row (VfpaTransportSetRows). */
PetscErrorCode VfpaTransportApply(VfpaTransport t, const PetscScalar *const *f, PetscScalar **rhs)
{
  PetscFunctionBeginUser;
  PetscCall(VfpaTransportSetRows(t, f, t->grid->vs, t->grid->vs + t->grid->vm, rhs));
  PetscFunctionReturn(0);
}

/* The s-model: rhs_i = -(F_{i+1/2} - F_{i-1/2}) / dx with F = a s^upwind and the face velocity
   a_{i+1/2} = ([u]_i + [u]_{i+1}) / 2; s is the ghosted strength row. */
PetscErrorCode VfpaTransportApplyStrength(VfpaTransport t, const PetscScalar *s, const PetscReal *avg_u, PetscScalar *rhs)
{
  VfpaGrid g = t->grid;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(VFPA_Transport, 0, 0, 0, 0));
  for (PetscInt i = g->xs - 1; i < g->xs + g->xm; i++) {
    const PetscReal a = 0.5 * (avg_u[i] + avg_u[i + 1]);
    t->face[i - g->xs + 1] = a * FaceValue(t->order, t->limiter, s, i, (PetscBool)(a > 0));
  }
  for (PetscInt i = g->xs; i < g->xs + g->xm; i++) rhs[i] = -(t->face[i - g->xs + 1] - t->face[i - g->xs]) / g->dx;
  PetscCall(PetscLogEventEnd(VFPA_Transport, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
