/* Upwind finite-volume transport in x. */
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
  PetscCall(PetscFree(*transport));
  PetscFunctionReturn(0);
}

/* Limited slope from the backward and forward differences a, b. Every limiter here returns
   |slope| <= 2 min(|a|, |b|) and zero at extrema, so a face value f_i +- slope/2 lies between the
   neighbouring cell values. */
static inline PetscReal Slope(VfpaLimiter limiter, PetscReal a, PetscReal b)
{
  if (a * b <= 0) return 0;
  switch (limiter) {
  case VFPA_LIMITER_MINMOD:
    return a > 0 ? PetscMin(a, b) : PetscMax(a, b);
  case VFPA_LIMITER_VANLEER:
    return 2 * a * b / (a + b);
  case VFPA_LIMITER_MC: {
    PetscReal m = PetscMin(PetscMin(2 * PetscAbsReal(a), 2 * PetscAbsReal(b)), 0.5 * PetscAbsReal(a + b));
    return a > 0 ? m : -m;
  }
  }
  return 0;
}

/* Upwind value at face i+1/2 of the ghosted profile q for a velocity of sign `positive`. */
static inline PetscReal FaceValue(const VfpaTransport t, const PetscScalar *q, PetscInt i, PetscBool positive)
{
  if (positive) return t->order == 1 ? q[i] : q[i] + 0.5 * Slope(t->limiter, q[i] - q[i - 1], q[i + 1] - q[i]);
  return t->order == 1 ? q[i + 1] : q[i + 1] - 0.5 * Slope(t->limiter, q[i + 1] - q[i], q[i + 2] - q[i + 1]);
}

/* rhs[j][i] = -(F_{i+1/2} - F_{i-1/2}) / dx with F = v_j f^upwind, for the owned cells of every
   owned velocity row; f is the ghosted local array. Each face flux is computed once.
   Memory: f read once (with its halo), rhs written once. */
PetscErrorCode VfpaTransportApply(VfpaTransport t, const PetscScalar *const *f, PetscScalar **rhs)
{
  VfpaGrid g = t->grid;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(VFPA_Transport, 0, 0, 0, 0));
  for (PetscInt j = g->vs; j < g->vs + g->vm; j++) {
    const PetscReal v = g->v[j];
    for (PetscInt i = g->xs - 1; i < g->xs + g->xm; i++) t->face[i - g->xs + 1] = v * FaceValue(t, f[j], i, (PetscBool)(v > 0));
    for (PetscInt i = g->xs; i < g->xs + g->xm; i++) rhs[j][i] = -(t->face[i - g->xs + 1] - t->face[i - g->xs]) / g->dx;
  }
  PetscCall(PetscLogEventEnd(VFPA_Transport, 0, 0, 0, 0));
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
    t->face[i - g->xs + 1] = a * FaceValue(t, s, i, (PetscBool)(a > 0));
  }
  for (PetscInt i = g->xs; i < g->xs + g->xm; i++) rhs[i] = -(t->face[i - g->xs + 1] - t->face[i - g->xs]) / g->dx;
  PetscCall(PetscLogEventEnd(VFPA_Transport, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
