/* IMEX stage preconditioner: column Thomas solve plus the nonlocal momentum coupling (see
   vfpa_stagepc.h). */
#include "vfpa_stagepc.h"
#include "vfpa_columnpc.h"
#include "vfpa_gmres.h"

typedef struct {
  VfpaModel   model;
  PC          column;         /* the Thomas solve of the assembled Jacobian A */
  Vec         response;       /* the drift response d(d_v J)/dc, column by column (set-up only; then FoldStrengthChange's x') */
  Vec         w;              /* A^{-1} response */
  PetscReal  *w1, *z1, *m0, *m1; /* per owned x cell: M1(w), M1(z), M0(x), M1(x) */
  PetscReal  *ds, *c;         /* per owned x cell: the change of s, the density response of rho [u] */
  PetscReal  *s1, *avg1;      /* ghosted profiles: s and [u] at the perturbed density */
  VfpaGMRES   momentum;       /* the solver of the momentum system of step 2 */
  PetscReal  *b1, *Y1;        /* per owned x cell: its right-hand side and its solution */
  VfpaMoments trial;          /* the moments (rho, Y1) handed to the protocol's average */
  PetscReal  *avg;            /* ghosted profile: [u](Y1) */
} StagePC;

/* m1 += dv v_j row: velocity row j's share of the momentum of every owned column. */
static inline void AddMomentumRow(VfpaGrid g, PetscInt j, const PetscScalar *restrict row, PetscReal *restrict m1)
{
  const PetscReal v = g->v[j] * g->dv;

  for (PetscInt b = 0; b < g->xm; b++) m1[b] += v * row[b];
}

/* Mass M0 = dv sum_j a_j (unless m0 is NULL) and momentum M1 = dv sum_j v_j a_j (unless m1 is
   NULL) of every owned column of the local part a of a global vector (row r = j xm + b; all of v on
   this rank). */
static void ColumnMoments(VfpaGrid g, const PetscScalar *a, PetscReal *m0, PetscReal *m1)
{
  const PetscInt xm = g->xm;

  if (m0) PetscArrayzero(m0, xm);
  if (m1) PetscArrayzero(m1, xm);
  for (PetscInt j = 0; j < g->nv; j++) {
    const PetscScalar *restrict row = a + j * xm;
    if (m0)
      for (PetscInt b = 0; b < xm; b++) m0[b] += g->dv * row[b];
    if (m1) AddMomentumRow(g, j, row, m1);
  }
}

/* out_i = Y1_i - s_i rho_i [u]_i(Y1) / (shift + s_i) on the owned x cells (step 2, each row divided
   by its diagonal shift + s_i, as is the right-hand side); the trial moments already hold rho (see
   StagePCApply), only their momenta change here. */
static PetscErrorCode MomentumOperator(void *context, const PetscReal *y, PetscReal *out)
{
  StagePC         *ctx = (StagePC *)context;
  VfpaModel        m = ctx->model;
  VfpaGrid         g = m->grid;
  VfpaMoments      trial = ctx->trial, now = m->moments;
  const PetscReal *s = m->protocol->s;

  PetscFunctionBeginUser;
  for (PetscInt b = 0; b < g->xm; b++) {
    const PetscInt i = g->xs + b;
    trial->rhou[i]   = y[b];
    trial->u[i]      = now->rho[i] > 0 ? y[b] / now->rho[i] : 0;
  }
  PetscCall(VfpaProtocolAverageOf(m->protocol, trial, ctx->avg));
  for (PetscInt b = 0; b < g->xm; b++) {
    const PetscInt i = g->xs + b;
    out[b]           = y[b] - s[i] * now->rho[i] * ctx->avg[i] / (m->shift + s[i]);
  }
  PetscFunctionReturn(0);
}

/* Work space on the grid in use, and the momentum system's solver on its owned x cells. */
static PetscErrorCode AllocateWork(StagePC *ctx)
{
  VfpaGrid g = ctx->model->grid;

  PetscFunctionBeginUser;
  PetscCall(DMCreateGlobalVector(g->da, &ctx->response));
  PetscCall(VecDuplicate(ctx->response, &ctx->w));
  PetscCall(PetscMalloc6(g->xm, &ctx->w1, g->xm, &ctx->z1, g->xm, &ctx->m0, g->xm, &ctx->m1, g->xm, &ctx->ds, g->xm, &ctx->c));
  PetscCall(PetscMalloc2(g->xm, &ctx->b1, g->xm, &ctx->Y1));
  PetscCall(VfpaGridProfileCreate(g, &ctx->s1));
  PetscCall(VfpaGridProfileCreate(g, &ctx->avg1));
  PetscCall(VfpaMomentsCreate(g, &ctx->trial));
  PetscCall(VfpaGridProfileCreate(g, &ctx->avg));
  PetscCall(VfpaGMRESSetUp(ctx->momentum, g));
  PetscFunctionReturn(0);
}

/* Set up the Thomas solve for the new Jacobian, then w = A^{-1} (drift response) and M1(w). PETSc
   sets a PC up right after the Jacobian changes, so the model's drift is that of the Jacobian. */
static PetscErrorCode StagePCSetUp(PC pc)
{
  StagePC           *ctx;
  Mat                A, P;
  const PetscScalar *w;

  PetscFunctionBeginUser;
  PetscCall(PCShellGetContext(pc, &ctx));
  PetscCall(PCGetOperators(pc, &A, &P));
  PetscCall(PCSetOperators(ctx->column, A, P));
  PetscCall(PCSetUp(ctx->column));
  if (!ctx->w) PetscCall(AllocateWork(ctx));
  PetscCall(VfpaModelDriftResponse(ctx->model, ctx->response));
  PetscCall(PCApply(ctx->column, ctx->response, ctx->w));
  PetscCall(VecGetArrayRead(ctx->w, &w));
  ColumnMoments(ctx->model->grid, w, NULL, ctx->w1);
  PetscCall(VecRestoreArrayRead(ctx->w, &w));
  PetscFunctionReturn(0);
}

/* delta s = D_rho s . delta rho (strength rules that follow the density) and
   c = s D_rho(rho [u]) . delta rho on the owned x cells: how s and the momentum source
   S = s (rho [u] - rho u) change with the mass change delta rho = M0(x) / shift of y, which only the
   first Newton step of a stage brings. Difference quotients at the current momenta, with the step
   scaled to 1e-7 of the density. */
static PetscErrorCode DensityResponse(StagePC *ctx)
{
  VfpaModel       m = ctx->model;
  VfpaGrid        g = m->grid;
  VfpaMoments     now = m->moments, trial = ctx->trial;
  VfpaProtocol    p = m->protocol;
  const PetscReal *m0 = ctx->m0;
  PetscReal       scale[2] = {0, 0}, eps;

  PetscFunctionBeginUser;
  for (PetscInt b = 0; b < g->xm; b++) {
    scale[0] = PetscMax(scale[0], PetscAbsReal(m0[b] / m->shift));
    scale[1] = PetscMax(scale[1], PetscAbsReal(now->rho[g->xs + b]));
  }
  PetscCallMPI(MPIU_Allreduce(MPI_IN_PLACE, scale, 2, MPIU_REAL, MPIU_MAX, m->comm));
  PetscCall(PetscArrayzero(ctx->ds, g->xm));
  PetscCall(PetscArrayzero(ctx->c, g->xm));
  if (scale[0] == 0) PetscFunctionReturn(0);
  eps = 1e-7 * scale[1] / scale[0];
  for (PetscInt i = g->gxs; i < g->gxs + g->gxm; i++) {
    const PetscInt b = i - g->xs;
    trial->rho[i]    = now->rho[i] + (b >= 0 && b < g->xm ? eps * m0[b] / m->shift : 0);
    trial->rhou[i]   = now->rhou[i];
    trial->u[i]      = trial->rho[i] > 0 ? trial->rhou[i] / trial->rho[i] : 0;
  }
  PetscCall(VfpaProtocolFieldsOf(p, trial, m->strength, ctx->s1, ctx->avg1));
  for (PetscInt b = 0; b < g->xm; b++) {
    const PetscInt i = g->xs + b;
    ctx->ds[b]       = (ctx->s1[i] - p->s[i]) / eps;
    ctx->c[b]        = p->s[i] * (trial->rho[i] * ctx->avg1[i] - now->rho[i] * p->avg_u[i]) / eps;
  }
  PetscFunctionReturn(0);
}

/* A strength s that changes with y: d_v J is linear in s, so -d(d_v J)/ds delta s =
   -(delta s / s) d_v J column by column (d_v J of the current iterate, model->fp_term), moved to the
   right-hand side: the f rows solve A y = x' = x + (delta s / s) d_v J. delta s is ctx->ds, plus
   y_s = x_s / shift from the strength row for the s-model. x' goes into ctx->response, which only
   the set-up needs, and its momenta M1(x') (ColumnMoments) into m1, row by row as x' is written. */
static PetscErrorCode FoldStrengthChange(StagePC *ctx, Vec x, PetscReal *m1)
{
  VfpaModel          m = ctx->model;
  VfpaGrid           g = m->grid;
  const PetscInt     xm = g->xm;
  const PetscReal   *s = m->protocol->s + g->xs;
  PetscReal         *ratio = ctx->z1; /* scratch until StagePCApply sets M1(z) */
  const PetscScalar *xa, *term;
  PetscScalar       *out;

  PetscFunctionBeginUser;
  PetscCheck(m->fp_term, m->comm, PETSC_ERR_ORDER, "the stage preconditioner needs the residual (VfpaModelIFunction) of the current iterate before it is applied");
  PetscCall(VecGetArrayRead(x, &xa));
  PetscCall(VecGetArrayRead(m->fp_term, &term));
  PetscCall(VecGetArray(ctx->response, &out));
  for (PetscInt b = 0; b < xm; b++) {
    const PetscReal ds = ctx->ds[b] + (m->transported ? xa[g->nv * xm + b] / m->shift : 0);
    ratio[b]           = s[b] > 0 ? ds / s[b] : 0;
  }
  PetscCall(PetscArrayzero(m1, xm));
  for (PetscInt j = 0; j < g->nv; j++) {
    const PetscScalar *restrict in = xa + j * xm, *restrict t = term + j * xm;
    PetscScalar *restrict       o = out + j * xm;
    for (PetscInt b = 0; b < xm; b++) o[b] = in[b] + ratio[b] * t[b];
    AddMomentumRow(g, j, o, m1); /* the row is still in cache */
  }
  if (m->transported) PetscCall(PetscArraycpy(out + g->nv * xm, xa + g->nv * xm, xm));
  PetscCall(VecRestoreArray(ctx->response, &out));
  PetscCall(VecRestoreArrayRead(m->fp_term, &term));
  PetscCall(VecRestoreArrayRead(x, &xa));
  PetscFunctionReturn(0);
}

/* For the symmetric protocols sum_i S_i = 0 whatever the moments, so the responses to the mass
   change add nothing to the total momentum: the right-hand side b of the momenta keeps the total
   of M1(x) exactly, the round-off of the difference quotients spread evenly over x. */
static PetscErrorCode KeepTotalMomentum(StagePC *ctx, PetscReal *b)
{
  VfpaGrid  g      = ctx->model->grid;
  PetscReal excess = 0;

  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < g->xm; k++) excess += b[k] - ctx->m1[k];
  PetscCall(VfpaGridSumOverRow(g, 1, &excess));
  for (PetscInt k = 0; k < g->xm; k++) b[k] -= excess / g->nx;
  PetscFunctionReturn(0);
}

/* y = z + mu w (steps 1-3 of vfpa_stagepc.h), with the response to the mass change of y added:
   the change of s folded into the right-hand side (FoldStrengthChange) and the change of rho [u]
   into that of the momenta. The model's moments and protocol fields are those of the current
   Newton iterate: SNES evaluates the residual there just before solving. */
static PetscErrorCode StagePCApply(PC pc, Vec x, Vec y)
{
  StagePC           *ctx;
  VfpaModel          m;
  VfpaGrid           g;
  Vec                rhs = x;
  const PetscScalar *xa, *w;
  PetscScalar       *ya;
  PetscReal         *b, *mu;

  PetscFunctionBeginUser;
  PetscCall(PCShellGetContext(pc, &ctx));
  m = ctx->model, g = m->grid;
  PetscCall(VecGetArrayRead(x, &xa));
  ColumnMoments(g, xa, ctx->m0, ctx->m1);
  PetscCall(VecRestoreArrayRead(x, &xa));
  PetscCall(DensityResponse(ctx));
  b = ctx->b1;
  if (m->keep_fp_term) {
    PetscCall(FoldStrengthChange(ctx, x, b)); /* b = M1(x') */
    rhs = ctx->response;
  } else PetscCall(PetscArraycpy(b, ctx->m1, g->xm)); /* M1(x), summed above */
  PetscCall(PCApply(ctx->column, rhs, y));
  for (PetscInt k = 0; k < g->xm; k++) b[k] += ctx->c[k];
  if (m->protocol->symmetric) PetscCall(KeepTotalMomentum(ctx, b));
  for (PetscInt k = 0; k < g->xm; k++) b[k] /= m->shift + m->protocol->s[g->xs + k]; /* as MomentumOperator's rows */
  PetscCall(VecGetArray(y, &ya));
  ColumnMoments(g, ya, NULL, ctx->z1);
  for (PetscInt i = g->gxs; i < g->gxs + g->gxm; i++) ctx->trial->rho[i] = m->moments->rho[i], ctx->trial->rhou[i] = 0, ctx->trial->u[i] = 0;
  PetscCall(VfpaGMRESSolve(ctx->momentum, b, ctx->Y1));
  mu = ctx->z1; /* reused */
  for (PetscInt k = 0; k < g->xm; k++) mu[k] = ctx->w1[k] != 0 ? (ctx->Y1[k] - ctx->z1[k]) / ctx->w1[k] : 0;
  PetscCall(VecGetArrayRead(ctx->w, &w));
  for (PetscInt j = 0; j < g->nv; j++) {
    const PetscScalar *restrict wrow = w + j * g->xm;
    PetscScalar *restrict       yrow = ya + j * g->xm;
    for (PetscInt k = 0; k < g->xm; k++) yrow[k] += mu[k] * wrow[k];
  }
  PetscCall(VecRestoreArrayRead(ctx->w, &w));
  PetscCall(VecRestoreArray(y, &ya));
  PetscFunctionReturn(0);
}

static PetscErrorCode StagePCView(PC pc, PetscViewer viewer)
{
  StagePC *ctx;

  PetscFunctionBeginUser;
  PetscCall(PCShellGetContext(pc, &ctx));
  PetscCall(PetscViewerASCIIPrintf(viewer, "vfpa stage preconditioner: column Thomas solve plus the nonlocal momentum coupling of the drift and the response to each column's mass change\n"));
  PetscCall(PetscViewerASCIIPushTab(viewer));
  PetscCall(PCView(ctx->column, viewer));
  PetscCall(PetscViewerASCIIPrintf(viewer, "momentum system (%" PetscInt_FMT " unknowns):\n", ctx->model->grid->nx));
  PetscCall(VfpaGMRESView(ctx->momentum, viewer));
  PetscCall(PetscViewerASCIIPopTab(viewer));
  PetscFunctionReturn(0);
}

static PetscErrorCode StagePCDestroy(PC pc)
{
  StagePC *ctx;

  PetscFunctionBeginUser;
  PetscCall(PCShellGetContext(pc, &ctx));
  ctx->model->keep_fp_term = PETSC_FALSE;
  PetscCall(PCDestroy(&ctx->column));
  PetscCall(VecDestroy(&ctx->response));
  PetscCall(VecDestroy(&ctx->w));
  PetscCall(VfpaGMRESDestroy(&ctx->momentum));
  if (ctx->trial) {
    PetscCall(VfpaMomentsDestroy(&ctx->trial));
    PetscCall(VfpaGridProfileDestroy(ctx->model->grid, &ctx->avg));
    PetscCall(VfpaGridProfileDestroy(ctx->model->grid, &ctx->s1));
    PetscCall(VfpaGridProfileDestroy(ctx->model->grid, &ctx->avg1));
    PetscCall(PetscFree6(ctx->w1, ctx->z1, ctx->m0, ctx->m1, ctx->ds, ctx->c));
    PetscCall(PetscFree2(ctx->b1, ctx->Y1));
  }
  PetscCall(PetscFree(ctx));
  PetscFunctionReturn(0);
}

/* The momentum system's solver: GMRES to round-off by default (-momentum_rtol, -momentum_max_it; its
   work space is allocated once the grid is). */
static PetscErrorCode CreateMomentumSolver(StagePC *ctx)
{
  PetscFunctionBeginUser;
  PetscCall(VfpaGMRESCreate(ctx->model->comm, &ctx->momentum));
  PetscCall(VfpaGMRESSetOperator(ctx->momentum, MomentumOperator, ctx));
  PetscCall(VfpaGMRESSetFromOptions(ctx->momentum));
  PetscFunctionReturn(0);
}

/* Make pc the stage preconditioner of the model's IMEX Jacobian (needs whole velocity columns on
   each rank; the work space is allocated at the first set-up, once the grid is). */
PetscErrorCode VfpaStagePCSet(PC pc, VfpaModel model)
{
  StagePC *ctx;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&ctx));
  ctx->model = model;
  /* a strength that changes with the state needs d_v J in FoldStrengthChange */
  model->keep_fp_term = (PetscBool)(model->protocol->strength != VFPA_STRENGTH_CONSTANT);
  PetscCall(PCCreate(model->comm, &ctx->column));
  PetscCall(VfpaColumnPCSet(ctx->column, model->grid));
  PetscCall(CreateMomentumSolver(ctx));
  PetscCall(PCSetType(pc, PCSHELL));
  PetscCall(PCShellSetContext(pc, ctx));
  PetscCall(PCShellSetName(pc, "vfpa stage preconditioner"));
  PetscCall(PCShellSetSetUp(pc, StagePCSetUp));
  PetscCall(PCShellSetApply(pc, StagePCApply));
  PetscCall(PCShellSetView(pc, StagePCView));
  PetscCall(PCShellSetDestroy(pc, StagePCDestroy));
  PetscFunctionReturn(0);
}
