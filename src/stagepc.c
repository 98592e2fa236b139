/* IMEX stage preconditioner: column Thomas solve plus the nonlocal momentum coupling (see
   vfpa_stagepc.h). */
#include "vfpa_stagepc.h"
#include "vfpa_columnpc.h"

typedef struct {
  VfpaModel   model;
  PC          column;         /* the Thomas solve of the assembled Jacobian A */
  Vec         response;       /* the drift response d(d_v J)/dc, column by column */
  Vec         w;              /* A^{-1} response */
  PetscReal  *w1, *z1;        /* per owned x cell: M1(w), M1(z) */
  KSP         ksp;            /* the momentum system of step 2 */
  Mat         T;
  Vec         rhs, momenta;   /* its right-hand side and its solution Y1 */
  VfpaMoments trial;          /* the moments (rho, Y1) handed to the protocol's average */
  PetscReal  *avg;            /* ghosted profile: [u](Y1) */
} StagePC;

/* Momentum M1 = dv sum_j v_j a_j of every owned column of the local part a of a global vector
   (row r = j xm + b; all of v on this rank). */
static void ColumnMomentum(VfpaGrid g, const PetscScalar *a, PetscReal *m1)
{
  const PetscInt xm = g->xm;

  PetscArrayzero(m1, xm);
  for (PetscInt j = 0; j < g->nv; j++) {
    const PetscScalar *restrict row = a + j * xm;
    const PetscReal             v   = g->v[j] * g->dv;
    for (PetscInt b = 0; b < xm; b++) m1[b] += v * row[b];
  }
}

/* out_i = (shift + s_i) Y1_i - s_i rho_i [u]_i(Y1) on the owned x cells (step 2); the trial moments
   already hold rho (see StagePCApply), only their momenta change here. */
static PetscErrorCode MomentumOperator(Mat T, Vec in, Vec out)
{
  StagePC           *ctx;
  VfpaModel          m;
  VfpaGrid           g;
  VfpaMoments        trial, now;
  const PetscReal   *s;
  const PetscScalar *y;
  PetscScalar       *o;

  PetscFunctionBeginUser;
  PetscCall(MatShellGetContext(T, &ctx));
  m = ctx->model, g = m->grid, trial = ctx->trial, now = m->moments, s = m->protocol->s;
  PetscCall(VecGetArrayRead(in, &y));
  for (PetscInt b = 0; b < g->xm; b++) {
    const PetscInt i = g->xs + b;
    trial->rhou[i]   = y[b];
    trial->u[i]      = now->rho[i] > 0 ? y[b] / now->rho[i] : 0;
  }
  PetscCall(VfpaProtocolAverageOf(m->protocol, trial, ctx->avg));
  PetscCall(VecGetArray(out, &o));
  for (PetscInt b = 0; b < g->xm; b++) {
    const PetscInt i = g->xs + b;
    o[b]             = (m->shift + s[i]) * y[b] - s[i] * now->rho[i] * ctx->avg[i];
  }
  PetscCall(VecRestoreArray(out, &o));
  PetscCall(VecRestoreArrayRead(in, &y));
  PetscFunctionReturn(0);
}

/* Work space on the grid in use, and the momentum system as a shell matrix on the owned x cells. */
static PetscErrorCode AllocateWork(StagePC *ctx)
{
  VfpaGrid g = ctx->model->grid;

  PetscFunctionBeginUser;
  PetscCall(DMCreateGlobalVector(g->da, &ctx->response));
  PetscCall(VecDuplicate(ctx->response, &ctx->w));
  PetscCall(PetscMalloc2(g->xm, &ctx->w1, g->xm, &ctx->z1));
  PetscCall(VfpaMomentsCreate(g, &ctx->trial));
  PetscCall(VfpaGridProfileCreate(g, &ctx->avg));
  PetscCall(VecCreateMPI(ctx->model->comm, g->xm, g->nx, &ctx->rhs));
  PetscCall(VecDuplicate(ctx->rhs, &ctx->momenta));
  PetscCall(MatCreateShell(ctx->model->comm, g->xm, g->xm, g->nx, g->nx, ctx, &ctx->T));
  PetscCall(MatShellSetOperation(ctx->T, MATOP_MULT, (void (*)(void))MomentumOperator));
  PetscCall(KSPSetOperators(ctx->ksp, ctx->T, ctx->T));
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
  ColumnMomentum(ctx->model->grid, w, ctx->w1);
  PetscCall(VecRestoreArrayRead(ctx->w, &w));
  PetscFunctionReturn(0);
}

/* y = z + mu w (steps 1-3 of vfpa_stagepc.h). The model's moments and protocol fields are those of
   the current Newton iterate: SNES evaluates the residual there just before solving. */
static PetscErrorCode StagePCApply(PC pc, Vec x, Vec y)
{
  StagePC           *ctx;
  VfpaModel          m;
  VfpaGrid           g;
  const PetscScalar *xa, *w, *Y1;
  PetscScalar       *ya, *b;
  PetscReal         *mu;

  PetscFunctionBeginUser;
  PetscCall(PCShellGetContext(pc, &ctx));
  m = ctx->model, g = m->grid;
  PetscCall(PCApply(ctx->column, x, y));
  PetscCall(VecGetArrayRead(x, &xa));
  PetscCall(VecGetArray(ctx->rhs, &b));
  ColumnMomentum(g, xa, b);
  PetscCall(VecRestoreArrayRead(x, &xa));
  PetscCall(VecGetArray(y, &ya));
  ColumnMomentum(g, ya, ctx->z1);
  PetscCall(VecRestoreArray(ctx->rhs, &b));
  for (PetscInt i = g->gxs; i < g->gxs + g->gxm; i++) ctx->trial->rho[i] = m->moments->rho[i], ctx->trial->rhou[i] = 0, ctx->trial->u[i] = 0;
  PetscCall(KSPSolve(ctx->ksp, ctx->rhs, ctx->momenta));
  PetscCall(VecGetArrayRead(ctx->momenta, &Y1));
  mu = ctx->z1; /* reused */
  for (PetscInt k = 0; k < g->xm; k++) mu[k] = ctx->w1[k] != 0 ? (Y1[k] - ctx->z1[k]) / ctx->w1[k] : 0;
  PetscCall(VecRestoreArrayRead(ctx->momenta, &Y1));
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
  PetscCall(PetscViewerASCIIPrintf(viewer, "vfpa stage preconditioner: column Thomas solve plus the nonlocal momentum coupling of the drift\n"));
  PetscCall(PetscViewerASCIIPushTab(viewer));
  PetscCall(PCView(ctx->column, viewer));
  PetscCall(PetscViewerASCIIPrintf(viewer, "momentum system (%" PetscInt_FMT " unknowns):\n", ctx->model->grid->nx));
  PetscCall(KSPView(ctx->ksp, viewer));
  PetscCall(PetscViewerASCIIPopTab(viewer));
  PetscFunctionReturn(0);
}

static PetscErrorCode StagePCDestroy(PC pc)
{
  StagePC *ctx;

  PetscFunctionBeginUser;
  PetscCall(PCShellGetContext(pc, &ctx));
  PetscCall(PCDestroy(&ctx->column));
  PetscCall(VecDestroy(&ctx->response));
  PetscCall(VecDestroy(&ctx->w));
  PetscCall(KSPDestroy(&ctx->ksp));
  PetscCall(MatDestroy(&ctx->T));
  PetscCall(VecDestroy(&ctx->rhs));
  PetscCall(VecDestroy(&ctx->momenta));
  if (ctx->trial) {
    PetscCall(VfpaMomentsDestroy(&ctx->trial));
    PetscCall(VfpaGridProfileDestroy(ctx->model->grid, &ctx->avg));
    PetscCall(PetscFree2(ctx->w1, ctx->z1));
  }
  PetscCall(PetscFree(ctx));
  PetscFunctionReturn(0);
}

/* The momentum system's solver: GMRES to round-off by default, starting from the momenta of the
   frozen-drift solve (its operator is set once the grid is). */
static PetscErrorCode CreateMomentumSolver(StagePC *ctx)
{
  PC pc;

  PetscFunctionBeginUser;
  PetscCall(KSPCreate(ctx->model->comm, &ctx->ksp));
  PetscCall(KSPSetOptionsPrefix(ctx->ksp, "momentum_"));
  PetscCall(KSPSetType(ctx->ksp, KSPGMRES));
  PetscCall(KSPGetPC(ctx->ksp, &pc));
  PetscCall(PCSetType(pc, PCNONE));
  PetscCall(KSPSetTolerances(ctx->ksp, 1e-14, 1e-300, PETSC_DEFAULT, 200));
  PetscCall(KSPSetFromOptions(ctx->ksp));
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
