/* The semi-discrete operator and its TS callbacks. */
#include <petsc/private/petscimpl.h> /* PetscObjectStateGet: cache keys for halo/fields/drift */
#include "vfpa_model.h"
#include "vfpa_sys.h"

PetscErrorCode VfpaModelCreate(MPI_Comm comm, VfpaModel *model)
{
  VfpaModel m;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&m));
  m->comm = comm;
  m->cfl  = 0.8;
  PetscCall(VfpaGridCreate(comm, &m->grid));
  PetscCall(VfpaKernelCreate(comm, &m->kernel));
  PetscCall(VfpaProtocolCreate(comm, &m->protocol));
  PetscCall(VfpaTransportCreate(comm, &m->transport));
  PetscCall(VfpaFokkerPlanckCreate(comm, &m->fp));
  PetscCall(VfpaMMSCreate(&m->mms));
  *model = m;
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaModelSetFromOptions(VfpaModel m, VfpaParams params)
{
  PetscFunctionBeginUser;
  PetscCall(VfpaGridSetFromOptions(m->grid, params));
  PetscCall(VfpaFokkerPlanckSetFromOptions(m->fp, params));
  PetscCall(VfpaProtocolSetFromOptions(m->protocol, params));
  PetscCall(VfpaKernelSetFromOptions(m->kernel, params));
  PetscCall(VfpaTransportSetFromOptions(m->transport, params));
  PetscCall(VfpaMMSSetFromOptions(m->mms, m->comm, params));
  PetscOptionsBegin(m->comm, NULL, "vfpa time step", "VfpaModel");
  PetscCall(PetscOptionsReal("-cfl", "time step as a fraction of the positivity limit of the explicit terms: forward Euler's limit times the integrator's SSP coefficient (<= 1 keeps f >= 0)", "VfpaModel", m->cfl, &m->cfl, NULL));
  PetscOptionsEnd();
  PetscCall(VfpaCheckReal(m->comm, "-cfl", m->cfl, 0, PETSC_MAX_REAL, PETSC_TRUE, PETSC_FALSE));
  PetscCall(VfpaParamsAddReal(params, "cfl", m->cfl));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaModelSetUp(VfpaModel m)
{
  PetscFunctionBeginUser;
  PetscCall(VfpaProtocolIsTransported(m->protocol, &m->transported));
  PetscCall(VfpaGridSetStrengthRow(m->grid, m->transported));
  PetscCall(VfpaGridSetUp(m->grid));
  PetscCall(VfpaKernelSetUp(m->kernel, m->grid));
  PetscCall(VfpaProtocolSetUp(m->protocol, m->grid, m->kernel));
  PetscCall(VfpaMomentsCreate(m->grid, &m->moments));
  PetscCall(VfpaTransportSetUp(m->transport, m->grid));
  PetscCall(VfpaFokkerPlanckSetUp(m->fp, m->grid, m->moments));
  PetscCall(VfpaGridProfileCreate(m->grid, &m->strength));
  PetscFunctionReturn(0);
}

/* Check the testing-only manufactured solution against the configuration (init: the -init name). */
PetscErrorCode VfpaModelSetUpMMS(VfpaModel m, const char init[])
{
  PetscBool transported;

  PetscFunctionBeginUser;
  PetscCall(VfpaProtocolIsTransported(m->protocol, &transported));
  PetscCheck(!m->mms->active || transported, m->comm, PETSC_ERR_USER_INPUT, "-mms needs -protocol smodel -smodel_average favre -kernel trig");
  PetscCall(VfpaMMSSetUp(m->mms, m->comm, m->kernel, m->fp->sigma, m->grid->L, m->protocol->average, init));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaModelView(VfpaModel m, PetscViewer viewer)
{
  PetscFunctionBeginUser;
  PetscCall(VfpaGridView(m->grid, viewer));
  PetscCall(VfpaProtocolView(m->protocol, viewer));
  PetscCall(VfpaKernelView(m->kernel, viewer));
  PetscCall(VfpaTransportView(m->transport, viewer));
  PetscCall(VfpaFokkerPlanckView(m->fp, viewer));
  if (m->mms->active) PetscCall(PetscViewerASCIIPrintf(viewer, "testing: manufactured-solution source terms (-mms)\n"));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaModelDestroy(VfpaModel *model)
{
  VfpaModel m = *model;

  PetscFunctionBeginUser;
  if (!m) PetscFunctionReturn(0);
  if (m->strength) PetscCall(VfpaGridProfileDestroy(m->grid, &m->strength));
  PetscCall(VecDestroy(&m->fp_term));
  PetscCall(VfpaMomentsDestroy(&m->moments));
  PetscCall(VfpaMMSDestroy(&m->mms));
  PetscCall(VfpaFokkerPlanckDestroy(&m->fp));
  PetscCall(VfpaTransportDestroy(&m->transport));
  PetscCall(VfpaProtocolDestroy(&m->protocol));
  PetscCall(VfpaKernelDestroy(&m->kernel));
  PetscCall(VfpaGridDestroy(&m->grid));
  PetscCall(PetscFree(*model));
  PetscFunctionReturn(0);
}

static PetscErrorCode KeyOf(Vec U, VfpaStateKey *key)
{
  PetscFunctionBeginUser;
  PetscCall(PetscObjectGetId((PetscObject)U, &key->id));
  PetscCall(PetscObjectStateGet((PetscObject)U, &key->state));
  PetscFunctionReturn(0);
}

static PetscBool SameKey(VfpaStateKey a, VfpaStateKey b) { return (PetscBool)(a.id == b.id && a.state == b.state); }

/* The halo f of U (f[j][i] on the owned x cells, the strength row is f[nv]; see VfpaGridGetHalo),
   and with moments the velocity moments of f, the owned cells summed while the ghosts travel. */
static PetscErrorCode GetHalo(VfpaModel m, Vec U, PetscBool moments, const PetscScalar *const **f)
{
  PetscFunctionBeginUser;
  PetscCall(KeyOf(U, &m->halo_key));
  PetscCall(VfpaGridHaloBegin(m->grid, U, f));
  if (moments) PetscCall(VfpaMomentsBegin(m->moments, *f));
  PetscCall(VfpaGridHaloEnd(m->grid, U));
  if (moments) PetscCall(VfpaMomentsEnd(m->moments));
  PetscFunctionReturn(0);
}

/* Transported strength and protocol (s, [u]) of the state whose halo f is, with the moments GetHalo
   has computed. */
static PetscErrorCode EvaluateProtocol(VfpaModel m, const PetscScalar *const *f)
{
  VfpaGrid g = m->grid;

  PetscFunctionBeginUser;
  if (m->transported) {
    if (g->owns_strength) PetscCall(VfpaGridGhostedRow(g, f, g->nv, g->xm, m->strength));
    PetscCall(VfpaGridBroadcastStrength(g, m->strength));
  }
  PetscCall(VfpaProtocolApply(m->protocol, m->moments, m->strength));
  m->fields_key = m->halo_key;
  PetscFunctionReturn(0);
}

/* Fill the moments and the protocol's s and [u] for the state U (used by diagnostics and output). */
PetscErrorCode VfpaModelEvaluateFields(VfpaModel m, Vec U)
{
  const PetscScalar *const *f;

  PetscFunctionBeginUser;
  PetscCall(GetHalo(m, U, PETSC_TRUE, &f));
  PetscCall(EvaluateProtocol(m, f));
  PetscCall(VfpaGridRestoreHalo(m->grid, U, &f));
  PetscFunctionReturn(0);
}

/* Moments of the f rows of U into m->moments. */
PetscErrorCode VfpaModelComputeMoments(VfpaModel m, Vec U)
{
  const PetscScalar *const *f;

  PetscFunctionBeginUser;
  PetscCall(GetHalo(m, U, PETSC_TRUE, &f));
  PetscCall(VfpaGridRestoreHalo(m->grid, U, &f));
  PetscFunctionReturn(0);
}

/* Put the owned part of the profile s into the strength row of U (s-model). */
PetscErrorCode VfpaModelSetStrengthRow(VfpaModel m, Vec U, const PetscReal *s)
{
  VfpaGrid      g = m->grid;
  PetscScalar **u;

  PetscFunctionBeginUser;
  PetscCall(DMDAVecGetArray(g->da, U, &u));
  if (g->owns_strength)
    for (PetscInt i = g->xs; i < g->xs + g->xm; i++) u[g->nv][i] = s[i];
  PetscCall(DMDAVecRestoreArray(g->da, U, &u));
  PetscFunctionReturn(0);
}

/* The largest strength s over x in the state U: lambda for a constant strength; for the s-model
   the strength row of U itself (which is what the protocol's s is); otherwise from the protocol's
   fields at U. */
static PetscErrorCode MaxStrength(VfpaModel m, Vec U, PetscReal *smax)
{
  VfpaGrid g = m->grid;

  PetscFunctionBeginUser;
  *smax = 0;
  if (m->protocol->strength == VFPA_STRENGTH_CONSTANT) {
    *smax = m->protocol->lambda;
    PetscFunctionReturn(0);
  }
  if (m->transported) {
    const PetscScalar **u;
    PetscCall(DMDAVecGetArrayRead(g->da, U, &u));
    if (g->owns_strength)
      for (PetscInt i = g->xs; i < g->xs + g->xm; i++) *smax = PetscMax(*smax, u[g->nv][i]);
    PetscCall(DMDAVecRestoreArrayRead(g->da, U, &u));
  } else {
    PetscCall(VfpaModelEvaluateFields(m, U));
    for (PetscInt i = g->xs; i < g->xs + g->xm; i++) *smax = PetscMax(*smax, m->protocol->s[i]);
  }
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, smax, 1, MPIU_REAL, MPIU_MAX, m->comm));
  PetscFunctionReturn(0);
}

/* The largest step for which forward Euler on the explicit terms keeps f >= 0, times -cfl:
   transport contributes 2 max|v| / dx (face values up to 2 f_i), and when the Fokker-Planck part
   is explicit it adds its largest diagonal rate (VfpaFokkerPlanckMaxRate). */
PetscErrorCode VfpaModelStableTimeStep(VfpaModel m, Vec U, PetscBool implicit_fp, PetscReal *dt)
{
  VfpaGrid  g    = m->grid;
  PetscReal rate = 2 * (g->vmax - 0.5 * g->dv) / g->dx;

  PetscFunctionBeginUser;
  if (!implicit_fp) {
    PetscReal smax, fprate;
    PetscCall(MaxStrength(m, U, &smax));
    PetscCall(VfpaFokkerPlanckMaxRate(m->fp, smax, &fprate));
    rate += fprate;
  }
  *dt = m->cfl / rate;
  PetscFunctionReturn(0);
}

/* Zeros on the nonzero pattern of the IMEX Jacobian, assembled, so that the assemblies of the run
   (VfpaFokkerPlanckAssemble) find it in place: f_{j-1}, f_j, f_{j+1} in the
   row of f_j (fewer at the walls), the diagonal alone in the strength row. */
static PetscErrorCode InsertPattern(VfpaGrid g, Mat J)
{
  const PetscScalar zeros[3] = {0, 0, 0};

  PetscFunctionBeginUser;
  for (PetscInt j = g->ys; j < g->ys + g->ym; j++)
    for (PetscInt i = g->xs; i < g->xs + g->xm; i++) {
      MatStencil     row = {.i = i, .j = j}, cols[3];
      const PetscInt n   = VfpaGridVelocityStencil(g, i, j, cols);
      PetscCall(MatSetValuesStencil(J, 1, &row, n, cols, zeros, INSERT_VALUES));
    }
  PetscCall(MatAssemblyBegin(J, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(J, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

/* The IMEX Jacobian: a tridiagonal block per x column (three nonzeros per row, one of them off the
   rank when v is split); the strength row only has its diagonal. Its pattern is set here, once. */
PetscErrorCode VfpaModelCreateJacobian(VfpaModel m, Mat *J)
{
  VfpaGrid               g = m->grid;
  PetscInt               xm, ym, M, N, dims[2], starts[2];
  ISLocalToGlobalMapping ltog;

  PetscFunctionBeginUser;
  PetscCall(DMDAGetInfo(g->da, NULL, &M, &N, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL));
  PetscCall(DMDAGetCorners(g->da, NULL, NULL, NULL, &xm, &ym, NULL));
  PetscCall(DMDAGetGhostCorners(g->da, &starts[0], &starts[1], NULL, &dims[0], &dims[1], NULL));
  PetscCall(DMGetLocalToGlobalMapping(g->da, &ltog));
  PetscCall(MatCreate(m->comm, J));
  PetscCall(MatSetSizes(*J, xm * ym, xm * ym, M * N, M * N));
  PetscCall(MatSetType(*J, MATAIJ));
  PetscCall(MatSeqAIJSetPreallocation(*J, 3, NULL));
  PetscCall(MatMPIAIJSetPreallocation(*J, 3, NULL, 1, NULL));
  PetscCall(MatSetLocalToGlobalMapping(*J, ltog, ltog));
  PetscCall(MatSetStencil(*J, 2, dims, starts, 1));
  PetscCall(MatSetOption(*J, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE));
  PetscCall(InsertPattern(g, *J));
  PetscFunctionReturn(0);
}

/* F = -v d_x f (+ d_v J when with_fp) on the f rows, and -d_x (s [u]) on the strength row, plus
   the testing-only manufactured sources at time t. With d_v J, the Fokker-Planck pass sets the
   transport rows a block at a time just before adding their fluxes. The protocol is evaluated only
   when something needs s or [u]. */
static PetscErrorCode EvaluateRHS(VfpaModel m, PetscReal t, Vec U, Vec F, PetscBool with_fp)
{
  VfpaGrid                  g = m->grid;
  const PetscScalar *const *f;
  PetscScalar             **rhs;

  PetscFunctionBeginUser;
  PetscCall(GetHalo(m, U, (PetscBool)(with_fp || m->transported), &f));
  if (with_fp || m->transported) PetscCall(EvaluateProtocol(m, f));
  PetscCall(DMDAVecGetArray(g->da, F, &rhs));
  if (with_fp) {
    PetscCall(VfpaFokkerPlanckApply(m->fp, f, m->moments, m->protocol->s, m->protocol->avg_u, VfpaTransportSetRows, m->transport, rhs));
    m->drift_key = m->halo_key;
  } else PetscCall(VfpaTransportApply(m->transport, f, rhs));
  if (g->owns_strength) PetscCall(VfpaTransportApplyStrength(m->transport, m->strength, m->protocol->avg_u, rhs[g->nv]));
  PetscCall(VfpaMMSAddSource(m->mms, g, t, rhs));
  PetscCall(DMDAVecRestoreArray(g->da, F, &rhs));
  PetscCall(VfpaGridRestoreHalo(m->grid, U, &f));
  PetscFunctionReturn(0);
}

/* Explicit integrators: the whole right-hand side. */
PetscErrorCode VfpaModelRHSFunction(TS ts, PetscReal t, Vec U, Vec F, void *ctx)
{
  PetscFunctionBeginUser;
  (void)ts;
  PetscCall(EvaluateRHS((VfpaModel)ctx, t, U, F, PETSC_TRUE));
  PetscFunctionReturn(0);
}

/* IMEX, explicit part: transport of f (and of s, which needs [u]). */
PetscErrorCode VfpaModelRHSTransport(TS ts, PetscReal t, Vec U, Vec F, void *ctx)
{
  PetscFunctionBeginUser;
  (void)ts;
  PetscCall(EvaluateRHS((VfpaModel)ctx, t, U, F, PETSC_FALSE));
  PetscFunctionReturn(0);
}

/* Zero the owned part of the strength row of the local array a (s-model, on the rank that holds it). */
static PetscErrorCode ZeroStrengthRow(VfpaGrid g, PetscScalar **a)
{
  PetscFunctionBeginUser;
  if (g->owns_strength) PetscCall(PetscArrayzero(a[g->nv] + g->xs, g->xm));
  PetscFunctionReturn(0);
}

/* A VfpaRowsSetter that zeroes the rows j0 .. j1 - 1 (the implicit part has no transport), so that
   the Fokker-Planck pass adds its fluxes to rows still in cache. */
static PetscErrorCode ZeroRows(void *grid, const PetscScalar *const *f, PetscInt j0, PetscInt j1, PetscScalar **rhs)
{
  VfpaGrid g = (VfpaGrid)grid;

  PetscFunctionBeginUser;
  (void)f;
  for (PetscInt j = j0; j < j1; j++) PetscCall(PetscArrayzero(rhs[j] + g->xs, g->xm));
  PetscFunctionReturn(0);
}

/* IMEX, implicit part: F = Udot - d_v J(U) on the f rows and F = Udot on the strength row (d_v J
   kept in m->fp_term when m->keep_fp_term is set). The f rows of d_v J are zeroed block by block
   inside the Fokker-Planck pass (ZeroRows), the strength row here. */
PetscErrorCode VfpaModelIFunction(TS ts, PetscReal t, Vec U, Vec Udot, Vec F, void *ctx)
{
  VfpaModel                 m = (VfpaModel)ctx;
  Vec                       term;
  const PetscScalar *const *f;
  PetscScalar             **rhs;

  PetscFunctionBeginUser;
  (void)ts, (void)t;
  if (m->keep_fp_term && !m->fp_term) PetscCall(VecDuplicate(F, &m->fp_term));
  term = m->keep_fp_term ? m->fp_term : F;
  PetscCall(GetHalo(m, U, PETSC_TRUE, &f));
  PetscCall(EvaluateProtocol(m, f));
  PetscCall(DMDAVecGetArray(m->grid->da, term, &rhs));
  PetscCall(ZeroStrengthRow(m->grid, rhs));
  PetscCall(VfpaFokkerPlanckApply(m->fp, f, m->moments, m->protocol->s, m->protocol->avg_u, ZeroRows, m->grid, rhs));
  m->drift_key = m->halo_key;
  PetscCall(DMDAVecRestoreArray(m->grid->da, term, &rhs));
  PetscCall(VfpaGridRestoreHalo(m->grid, U, &f));
  if (m->keep_fp_term) PetscCall(VecWAXPY(F, -1, m->fp_term, Udot));
  else PetscCall(VecAYPX(F, -1, Udot));
  PetscFunctionReturn(0);
}

/* d = d(d_v J)/dc of every x column (the strength row zero) at the drift computed last: called by
   the stage preconditioner's set-up right after the Jacobian, whose state that drift is. The f rows
   are all written by VfpaFokkerPlanckDriftResponse. */
PetscErrorCode VfpaModelDriftResponse(VfpaModel m, Vec d)
{
  PetscScalar **a;

  PetscFunctionBeginUser;
  PetscCall(DMDAVecGetArray(m->grid->da, d, &a));
  PetscCall(ZeroStrengthRow(m->grid, a));
  PetscCall(VfpaFokkerPlanckDriftResponse(m->fp, m->protocol->s, a));
  PetscCall(DMDAVecRestoreArray(m->grid->da, d, &a));
  PetscFunctionReturn(0);
}

/* dF/dU + shift dF/dUdot with s, [u] and the drift frozen. A Newton step evaluates F at U just
   before, so the protocol's fields and the drift computed there are reused when they belong to U.
   The shift is kept for the stage preconditioner (vfpa_stagepc.h). */
PetscErrorCode VfpaModelIJacobian(TS ts, PetscReal t, Vec U, Vec Udot, PetscReal shift, Mat A, Mat P, void *ctx)
{
  VfpaModel    m = (VfpaModel)ctx;
  VfpaStateKey key;

  PetscFunctionBeginUser;
  (void)ts, (void)t, (void)Udot;
  PetscCall(KeyOf(U, &key));
  if (!SameKey(key, m->fields_key) || !SameKey(key, m->drift_key) || !m->fp->F1_current) {
    const PetscScalar *const *f;
    PetscCall(GetHalo(m, U, PETSC_TRUE, &f));
    PetscCall(EvaluateProtocol(m, f));
    PetscCall(VfpaFokkerPlanckComputeDrift(m->fp, f, m->moments, m->protocol->avg_u));
    m->drift_key = m->halo_key;
    PetscCall(VfpaGridRestoreHalo(m->grid, U, &f));
  }
  PetscCall(VfpaFokkerPlanckAssemble(m->fp, m->protocol->s, shift, P));
  m->shift = shift;
  PetscCall(MatAssemblyBegin(P, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(P, MAT_FINAL_ASSEMBLY));
  if (A != P) {
    PetscCall(MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY));
    PetscCall(MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY));
  }
  PetscFunctionReturn(0);
}
