/* TS type "strang": Strang splitting of an IMEX problem (see vfpa_strang.h). */
#include <petsc/private/tsimpl.h>
#include "vfpa_strang.h"

typedef struct {
  PetscInt  stages; /* m, the stages of each explicit half step */
  Vec       start;  /* the state at the start of an explicit half step (the first: of the step) */
  Vec       slope;  /* one evaluation of the explicit part */
  Vec       base;   /* Z of the implicit stage in solve: Y = Z + h gamma G(Y) */
  Vec       ydot;   /* shift (Y - Z), the time derivative the implicit part is evaluated with */
  PetscReal shift;  /* 1 / (h gamma) */
  PetscReal stage_time;
} TS_Strang;

#define STRANG_DEFAULT_STAGES 3

static const PetscReal SDIRK2_GAMMA = 0.29289321881345247560; /* 1 - 1/sqrt2 */

/* The explicit part over dt from t, in place: m - 1 forward-Euler stages of dt / (m - 1), then
   X = (start + (m - 1) (X + dt / (m - 1) T(X))) / m, the optimal SSP RK(m, 2). */
static PetscErrorCode ExplicitHalfStep(TS ts, PetscReal t, PetscReal dt, Vec X)
{
  TS_Strang      *st = (TS_Strang *)ts->data;
  const PetscInt  m  = st->stages;
  const PetscReal h  = dt / (m - 1);

  PetscFunctionBegin;
  PetscCall(VecCopy(X, st->start));
  for (PetscInt i = 0; i < m - 1; i++) {
    PetscCall(TSComputeRHSFunction(ts, t + i * h, X, st->slope));
    PetscCall(VecAXPY(X, h, st->slope));
  }
  PetscCall(TSComputeRHSFunction(ts, t + dt, X, st->slope));
  PetscCall(VecAXPBYPCZ(X, dt / m, 1.0 / m, (m - 1.0) / m, st->slope, st->start));
  PetscFunctionReturn(0);
}

/* One implicit stage at time t: Y = base + h gamma G(Y) (shift = 1 / (h gamma) set by the caller)
   solved by the SNES from the guess in Y, after the TS's pre-stage hook (TSSetPreStage). Sets
   *accepted to false when the solve failed (TSAdaptCheckStage counts it). */
static PetscErrorCode ImplicitStage(TS ts, PetscReal t, Vec Y, PetscBool *accepted)
{
  TS_Strang *st = (TS_Strang *)ts->data;
  PetscInt   its, lits;

  PetscFunctionBegin;
  st->stage_time = t;
  PetscCall(TSPreStage(ts, t));
  PetscCall(SNESSolve(ts->snes, NULL, Y));
  PetscCall(SNESGetIterationNumber(ts->snes, &its));
  PetscCall(SNESGetLinearSolveIterations(ts->snes, &lits));
  ts->snes_its += its;
  ts->ksp_its += lits;
  PetscCall(TSAdaptCheckStage(ts->adapt, ts, t, Y, accepted));
  PetscFunctionReturn(0);
}

/* The implicit part over h from X, in place, by SDIRK2: Y1 = X + h gamma G(Y1), then
   Y2 = X + h (1 - gamma) G(Y1) + h gamma G(Y2) = Z2 + h gamma G(Y2) with
   Z2 = X + (1 - gamma) / gamma (Y1 - X); the result is Y2. Each stage's Newton iteration starts
   from the state before it. */
static PetscErrorCode ImplicitStep(TS ts, PetscReal t, Vec X, PetscBool *accepted)
{
  TS_Strang      *st = (TS_Strang *)ts->data;
  const PetscReal r  = (1 - SDIRK2_GAMMA) / SDIRK2_GAMMA;

  PetscFunctionBegin;
  st->shift = 1 / (ts->time_step * SDIRK2_GAMMA); /* both stages */
  PetscCall(VecCopy(X, st->base));
  PetscCall(ImplicitStage(ts, t + SDIRK2_GAMMA * ts->time_step, X, accepted));
  if (!*accepted) PetscFunctionReturn(0);
  PetscCall(VecAXPBY(st->base, r, 1 - r, X));
  PetscCall(ImplicitStage(ts, t + ts->time_step, X, accepted));
  PetscFunctionReturn(0);
}

/* One step: half a step of the explicit part, a whole step of the implicit part, half a step of the
   explicit part. When an implicit stage fails and failures are allowed (-ts_max_snes_failures),
   TSAdaptCheckStage has shortened the step: the step starts over from its start (still in
   st->start, which only the explicit half steps write), up to -ts_max_reject times (PETSc's other
   types do the same). */
static PetscErrorCode TSStep_Strang(TS ts)
{
  TS_Strang      *st = (TS_Strang *)ts->data;
  const PetscReal t  = ts->ptime;
  PetscReal       h, next;
  PetscBool       accepted;
  PetscInt        rejections = 0;
  Vec             X = ts->vec_sol;

  PetscFunctionBegin;
  for (;;) {
    h = ts->time_step;
    PetscCall(ExplicitHalfStep(ts, t, h / 2, X));
    PetscCall(ImplicitStep(ts, t, X, &accepted));
    if (accepted) break;
    ts->reject++;
    PetscCall(VecCopy(st->start, X));
    if (ts->reason < 0) PetscFunctionReturn(0); /* TSAdaptCheckStage: no more failures allowed */
    if (ts->max_reject >= 0 && ++rejections > ts->max_reject) {
      ts->reason = TS_DIVERGED_STEP_REJECTED;
      PetscFunctionReturn(0);
    }
    PetscCall(PetscInfo(ts, "step %" PetscInt_FMT " at t = %g: an implicit stage failed, retrying with dt = %g\n", ts->steps, (double)t, (double)ts->time_step));
  }
  PetscCall(ExplicitHalfStep(ts, t + h / 2, h / 2, X));
  next = h;
  PetscCall(TSAdaptChoose(ts->adapt, ts, h, NULL, &next, &accepted));
  ts->ptime += h;
  ts->time_step = next;
  PetscFunctionReturn(0);
}

/* The SNES residual of an implicit stage: F(t, Y, shift (Y - Z)) of the implicit part alone. */
static PetscErrorCode SNESTSFormFunction_Strang(SNES snes, Vec Y, Vec F, TS ts)
{
  TS_Strang *st = (TS_Strang *)ts->data;

  PetscFunctionBegin;
  (void)snes;
  PetscCall(VecWAXPY(st->ydot, -1, st->base, Y));
  PetscCall(VecScale(st->ydot, st->shift));
  PetscCall(TSComputeIFunction(ts, st->stage_time, Y, st->ydot, F, PETSC_TRUE));
  PetscFunctionReturn(0);
}

static PetscErrorCode SNESTSFormJacobian_Strang(SNES snes, Vec Y, Mat A, Mat B, TS ts)
{
  TS_Strang *st = (TS_Strang *)ts->data;

  PetscFunctionBegin;
  (void)snes;
  PetscCall(TSComputeIJacobian(ts, st->stage_time, Y, st->ydot, st->shift, A, B, PETSC_TRUE));
  PetscFunctionReturn(0);
}

/* Fixed steps only: the TSAdapt must be of type none (the type's default). Also called by users of
   the type once TSSetFromOptions has set the TSAdapt, to reject other choices before any set-up. */
PetscErrorCode VfpaTSStrangCheckAdapt(TS ts)
{
  PetscBool fixed;

  PetscFunctionBegin;
  PetscCall(TSGetAdapt(ts, &ts->adapt));
  PetscCall(PetscObjectTypeCompare((PetscObject)ts->adapt, TSADAPTNONE, &fixed));
  PetscCheck(fixed, PetscObjectComm((PetscObject)ts), PETSC_ERR_USER_INPUT, "-ts_type strang takes fixed steps: use -ts_adapt_type none");
  PetscFunctionReturn(0);
}

static PetscErrorCode TSSetUp_Strang(TS ts)
{
  TS_Strang *st = (TS_Strang *)ts->data;

  PetscFunctionBegin;
  PetscCall(VfpaTSStrangCheckAdapt(ts));
  PetscCall(TSAdaptCandidatesClear(ts->adapt));
  PetscCall(TSGetSNES(ts, &ts->snes));
  PetscCall(VecDuplicate(ts->vec_sol, &st->start));
  PetscCall(VecDuplicate(ts->vec_sol, &st->slope));
  PetscCall(VecDuplicate(ts->vec_sol, &st->base));
  PetscCall(VecDuplicate(ts->vec_sol, &st->ydot));
  PetscFunctionReturn(0);
}

static PetscErrorCode TSReset_Strang(TS ts)
{
  TS_Strang *st = (TS_Strang *)ts->data;

  PetscFunctionBegin;
  PetscCall(VecDestroy(&st->start));
  PetscCall(VecDestroy(&st->slope));
  PetscCall(VecDestroy(&st->base));
  PetscCall(VecDestroy(&st->ydot));
  PetscFunctionReturn(0);
}

static PetscErrorCode TSDestroy_Strang(TS ts)
{
  PetscFunctionBegin;
  PetscCall(TSReset_Strang(ts));
  PetscCall(PetscObjectComposeFunction((PetscObject)ts, "VfpaTSStrangGetStages_C", NULL));
  PetscCall(PetscFree(ts->data));
  PetscFunctionReturn(0);
}

/* The type's options, into stages (holding the default or the current value). */
static PetscErrorCode ReadStages(MPI_Comm comm, PetscOptionItems *PetscOptionsObject, PetscInt *stages)
{
  PetscFunctionBegin;
  PetscCall(PetscOptionsInt("-ts_strang_stages", "stages m of each explicit half step of -ts_type strang (SSP RK2 with m stages: SSP coefficient 2 (m - 1) per step)", "VfpaTSStrangGetStages", *stages, stages, NULL));
  PetscCheck(*stages >= 2, comm, PETSC_ERR_USER_INPUT, "-ts_strang_stages must be at least 2, got %" PetscInt_FMT, *stages);
  PetscFunctionReturn(0);
}

static PetscErrorCode TSSetFromOptions_Strang(TS ts, PetscOptionItems *PetscOptionsObject)
{
  TS_Strang *st = (TS_Strang *)ts->data;

  PetscFunctionBegin;
  PetscOptionsHeadBegin(PetscOptionsObject, "Strang splitting options");
  PetscCall(ReadStages(PetscObjectComm((PetscObject)ts), PetscOptionsObject, &st->stages));
  PetscOptionsHeadEnd();
  PetscFunctionReturn(0);
}

/* Lists the type's options under -help when the TS is of another type (PETSc lists a type's
   options only once it is chosen). */
PetscErrorCode VfpaTSStrangListOptions(MPI_Comm comm)
{
  PetscInt stages = STRANG_DEFAULT_STAGES;

  PetscFunctionBegin;
  PetscOptionsBegin(comm, NULL, "vfpa Strang splitting (-ts_type strang)", "TS");
  PetscCall(ReadStages(comm, PetscOptionsObject, &stages));
  PetscOptionsEnd();
  PetscFunctionReturn(0);
}

static PetscErrorCode TSView_Strang(TS ts, PetscViewer viewer)
{
  TS_Strang *st = (TS_Strang *)ts->data;
  PetscBool  ascii;

  PetscFunctionBegin;
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &ascii));
  if (ascii) PetscCall(PetscViewerASCIIPrintf(viewer, "  Strang splitting: explicit part by SSP RK2 with %" PetscInt_FMT " stages per half step, implicit part by SDIRK2\n", st->stages));
  PetscFunctionReturn(0);
}

static PetscErrorCode StrangGetStages(TS ts, PetscInt *stages)
{
  PetscFunctionBegin;
  *stages = ((TS_Strang *)ts->data)->stages;
  PetscFunctionReturn(0);
}

/* The stages m of each explicit half step of a TS of type strang. */
PetscErrorCode VfpaTSStrangGetStages(TS ts, PetscInt *stages)
{
  PetscFunctionBegin;
  PetscUseMethod(ts, "VfpaTSStrangGetStages_C", (TS, PetscInt *), (ts, stages));
  PetscFunctionReturn(0);
}

static PetscErrorCode TSCreate_Strang(TS ts)
{
  TS_Strang *st;

  PetscFunctionBegin;
  PetscCall(PetscNew(&st));
  st->stages                = STRANG_DEFAULT_STAGES;
  ts->data                  = st;
  ts->ops->setup            = TSSetUp_Strang;
  ts->ops->step             = TSStep_Strang;
  ts->ops->reset            = TSReset_Strang;
  ts->ops->destroy          = TSDestroy_Strang;
  ts->ops->setfromoptions   = TSSetFromOptions_Strang;
  ts->ops->view             = TSView_Strang;
  ts->ops->snesfunction     = SNESTSFormFunction_Strang;
  ts->ops->snesjacobian     = SNESTSFormJacobian_Strang;
  ts->default_adapt_type    = TSADAPTNONE;
  ts->usessnes              = PETSC_TRUE;
  PetscCall(PetscObjectComposeFunction((PetscObject)ts, "VfpaTSStrangGetStages_C", StrangGetStages));
  PetscFunctionReturn(0);
}

/* Registers the TS type "strang" with PETSc (once per process). */
PetscErrorCode VfpaTSStrangRegister(void)
{
  static PetscBool registered = PETSC_FALSE;

  PetscFunctionBegin;
  if (registered) PetscFunctionReturn(0);
  PetscCall(TSRegister(VFPA_TS_STRANG, TSCreate_Strang));
  registered = PETSC_TRUE;
  PetscFunctionReturn(0);
}
