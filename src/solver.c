/* A run: TS set-up, step control, scheduled outputs and progress. */
#include "vfpa_solver.h"
#include "vfpa_columnpc.h"
#include "vfpa_stagepc.h"
#include "vfpa_strang.h"
#include "vfpa_log.h"
#include "vfpa_sys.h"

PetscErrorCode VfpaSolverCreate(MPI_Comm comm, const char input_name[], VfpaSolver *solver)
{
  VfpaSolver s;

  PetscFunctionBeginUser;
  PetscCall(VfpaLogRegister());
  PetscCall(PetscNew(&s));
  s->comm               = comm;
  s->monitor_interval   = 100;
  s->last_snapshot_time   = PETSC_MIN_REAL;
  s->last_checkpoint_step = -1;
  PetscCall(PetscStrncpy(s->input_name, input_name, sizeof(s->input_name)));
  PetscCall(VfpaParamsCreate(&s->params));
  PetscCall(VfpaModelCreate(comm, &s->model));
  PetscCall(VfpaInitCreate(comm, &s->init));
  PetscCall(VfpaCheckpointCreate(comm, &s->checkpoint));
  PetscCall(TSCreate(comm, &s->ts));
  *solver = s;
  PetscFunctionReturn(0);
}

#define VFPA_ARKIMEX_SSP4L "ssp4l"

/* An IMEX pair for a stiff relaxation term next to a hyperbolic one (registered as ARKIMEX type
   "ssp4l"): the explicit part is the optimal 4-stage second-order SSP Runge-Kutta method (SSP
   coefficient 3: c = 0, 1/3, 2/3, 1, every a_ij = 1/3, b_j = 1/4); the implicit part is an
   ESDIRK with the same b and c, diagonal 1/4 and last row b (stiffly accurate), its two free
   entries fixed by R(-inf) = 0, so it is L-stable (and A-stable: poles at z = 4, |R(iy)| <= 1).
   With b = bt and c = ct, sum b c = 1/2 makes every order-2 coupling condition hold. Per unit of
   simulated time it needs one implicit stage per forward-Euler step of transport, half of what
   ARKIMEX L2 (SSP coefficient 1, two implicit stages) needs. Embedded first-order pair: (0, 1/3,
   1/3, 1/3); dense output: linear interpolation. */
static PetscErrorCode RegisterIMEXSSP4L(void)
{
  const PetscReal  q = 1.0 / 3, g = 0.25;
  const PetscReal  At[16] = {0, 0, 0, 0, 1.0 / 12, g, 0, 0, 11.0 / 48, 3.0 / 16, g, 0, g, g, g, g};
  const PetscReal  A[16] = {0, 0, 0, 0, q, 0, 0, 0, q, q, 0, 0, q, q, q, 0};
  const PetscReal  b[4] = {g, g, g, g}, c[4] = {0, q, 2 * q, 1}, embedded[4] = {0, q, q, q};

  PetscFunctionBeginUser;
  PetscCall(TSARKIMEXRegister(VFPA_ARKIMEX_SSP4L, 2, 4, At, b, c, A, b, c, embedded, embedded, 1, b, b));
  PetscFunctionReturn(0);
}

/* vfpa's integrators, registered with PETSc once per process: the ARKIMEX type ssp4l and the TS
   type strang (vfpa_strang.h). */
static PetscErrorCode RegisterIntegrators(void)
{
  static PetscBool registered = PETSC_FALSE;

  PetscFunctionBeginUser;
  if (registered) PetscFunctionReturn(0);
  PetscCall(RegisterIMEXSSP4L());
  PetscCall(VfpaTSStrangRegister());
  registered = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* Defaults that users may override with the usual -ts_*, -snes_*, -ksp_*, -pc_* options: an SSP
   Runge-Kutta integrator; for IMEX, full Newton steps on each implicit stage with the Jacobian built
   once per stage (-snes_lag_jacobian 50, not persisting across solves), or once per step where the
   stages share one shift (ReadJacobianReuse). With whole velocity columns
   per rank and the momentum drift, the stage preconditioner inverts the exact stage Jacobian to
   about 1e-5 and keeps mass and momentum exact at every Newton step (vfpa_stagepc.h): the first
   Newton step usually cuts the residual by 1e-6 or more, and a stage stops once its residual has
   dropped by 1e-5. The stage error left is far below the time-stepping error (tests/bench: the
   final errors move by at most 1% from stages solved to 1e-8). Otherwise the Jacobian
   freezes s, [u] and the drift, any residual left would leak into the momentum, and stages are
   solved to round-off (until the Newton step is below 1e-13 of the state). */
static PetscErrorCode ConfigureTS(VfpaSolver s)
{
  static const char *const types[] = {"ssp", "rk", "euler", "arkimex", VFPA_TS_STRANG, NULL};
  SNES                     snes;
  SNESLineSearch           linesearch;
  KSP                      ksp;
  TSType                   type;
  char                     requested[64];
  PetscInt                 index;
  PetscBool                arkimex, strang, user_dt, set;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetString(NULL, NULL, "-ts_type", requested, sizeof(requested), &set));
  if (set) PetscCall(VfpaChoiceFind(s->comm, types, "-ts_type", requested, &index));
  PetscCall(RegisterIntegrators());
  PetscCall(TSSetProblemType(s->ts, TS_NONLINEAR));
  PetscCall(TSSetType(s->ts, TSSSP));
  PetscCall(TSSSPSetType(s->ts, TSSSPRKS3));
  PetscCall(TSSetMaxTime(s->ts, 1.0));
  PetscCall(TSSetMaxSteps(s->ts, PETSC_MAX_INT));
  PetscCall(TSSetExactFinalTime(s->ts, TS_EXACTFINALTIME_MATCHSTEP));
  PetscCall(TSGetSNES(s->ts, &snes));
  PetscCall(SNESSetTolerances(snes, 1e-50, 1e-14, 1e-13, 50, PETSC_DEFAULT));
  PetscCall(SNESGetLineSearch(snes, &linesearch));
  PetscCall(SNESLineSearchSetType(linesearch, SNESLINESEARCHBASIC));
  PetscCall(SNESGetKSP(snes, &ksp));
  PetscCall(SNESSetLagJacobian(snes, 50));
  PetscCall(KSPSetTolerances(ksp, 1e-14, 1e-50, PETSC_DEFAULT, PETSC_DEFAULT));
  /* with v on one rank the Jacobian is a set of independent tridiagonal blocks, which the column
     preconditioner solves exactly: one application solves the linear system; with the momentum
     drift, the stage preconditioner adds the nonlocal coupling through [u] that it leaves out */
  if (s->model->grid->pv == 1) {
    PC pc;
    PetscCall(KSPSetType(ksp, KSPPREONLY));
    PetscCall(KSPGetPC(ksp, &pc));
    if (s->model->fp->drift_rule == VFPA_DRIFT_MOMENTUM) {
      PetscCall(VfpaStagePCSet(pc, s->model));
      PetscCall(SNESSetTolerances(snes, 1e-50, 1e-5, 1e-13, 50, PETSC_DEFAULT));
    } else PetscCall(VfpaColumnPCSet(pc, s->model->grid));
  }
  PetscCall(TSSetFromOptions(s->ts));
  PetscCall(TSGetType(s->ts, &type));
  PetscCall(PetscStrcmp(type, TSARKIMEX, &arkimex));
  PetscCall(PetscStrcmp(type, VFPA_TS_STRANG, &strang));
  s->imex = (PetscBool)(arkimex || strang);
  if (strang) PetscCall(VfpaTSStrangCheckAdapt(s->ts));
  else if (s->help) PetscCall(VfpaTSStrangListOptions(s->comm));
  if (arkimex) {
    PetscBool chosen;
    /* ssp4l: L-stable implicit part with an SSP explicit part, and steps three times those of L2;
       PETSc's default ARKIMEX 3 lets f dip to -1e-12 on stiff, strongly non-equilibrium data (see
       the positivity test). */
    PetscCall(PetscOptionsHasName(NULL, NULL, "-ts_arkimex_type", &chosen));
    if (!chosen) PetscCall(TSARKIMEXSetType(s->ts, VFPA_ARKIMEX_SSP4L));
  }
  PetscCall(PetscOptionsHasName(NULL, NULL, "-ts_dt", &user_dt));
  if (user_dt) PetscCall(TSGetTimeStep(s->ts, &s->max_dt)); /* -ts_dt caps the step */
  PetscFunctionReturn(0);
}

/* -output_dir: where everything goes (and where -restart latest looks). */
static PetscErrorCode ReadOutputDirectory(VfpaSolver s)
{
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(s->output_dir, sizeof(s->output_dir), "output/%s", s->input_name));
  PetscOptionsBegin(s->comm, NULL, "vfpa output directory", "VfpaSolver");
  PetscCall(PetscOptionsString("-output_dir", "directory for diagnostics, snapshots and checkpoints (default: output/<name of the -options_file>)", "VfpaSolver", s->output_dir, s->output_dir, sizeof(s->output_dir), NULL));
  PetscOptionsEnd();
  PetscCheck(s->output_dir[0], s->comm, PETSC_ERR_USER_INPUT, "-output_dir must not be empty");
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadOutputOptions(VfpaSolver s)
{
  PetscReal max_time;

  PetscFunctionBeginUser;
  PetscCall(TSGetMaxTime(s->ts, &max_time));
  PetscCall(VfpaCheckReal(s->comm, "-ts_max_time", max_time, 0, PETSC_MAX_REAL, PETSC_TRUE, PETSC_FALSE));
  s->output_interval = max_time / 10;
  PetscOptionsBegin(s->comm, NULL, "vfpa output", "VfpaSolver");
  PetscCall(PetscOptionsReal("-output_interval", "simulated time between HDF5 snapshots (default: ts_max_time/10)", "VfpaSolver", s->output_interval, &s->output_interval, NULL));
  s->diagnostics_interval = s->output_interval / 10;
  PetscCall(PetscOptionsReal("-diagnostics_interval", "simulated time between diagnostics rows (default: output_interval/10)", "VfpaSolver", s->diagnostics_interval, &s->diagnostics_interval, NULL));
  PetscCall(PetscOptionsInt("-monitor_interval", "steps between progress lines (0: none)", "VfpaSolver", s->monitor_interval, &s->monitor_interval, NULL));
  PetscOptionsEnd();
  PetscCall(VfpaCheckReal(s->comm, "-output_interval", s->output_interval, 0, PETSC_MAX_REAL, PETSC_TRUE, PETSC_FALSE));
  PetscCall(VfpaCheckReal(s->comm, "-diagnostics_interval", s->diagnostics_interval, 0, PETSC_MAX_REAL, PETSC_TRUE, PETSC_FALSE));
  PetscCheck(s->monitor_interval >= 0, s->comm, PETSC_ERR_USER_INPUT, "-monitor_interval %" PetscInt_FMT " must be >= 0", s->monitor_interval);
  PetscCall(VfpaParamsAddReal(s->params, "ts_max_time", max_time));
  PetscCall(VfpaParamsAddReal(s->params, "output_interval", s->output_interval));
  PetscCall(VfpaParamsAddReal(s->params, "diagnostics_interval", s->diagnostics_interval));
  PetscFunctionReturn(0);
}

/* -imex_reuse_jacobian, applied where the implicit stages of a step share one shift 1 / (h a_ii):
   -ts_type strang (SDIRK2) and ARKIMEX ssp4l (diagonal 1/4). */
static PetscErrorCode ReadJacobianReuse(VfpaSolver s)
{
  PetscBool reuse = PETSC_TRUE, strang, ssp4l = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscOptionsBegin(s->comm, NULL, "vfpa IMEX stages", "VfpaSolver");
  PetscCall(PetscOptionsBool("-imex_reuse_jacobian", "IMEX: assemble the Jacobian and preconditioner once per step for all its implicit stages where they share one shift (-ts_type strang, ARKIMEX ssp4l); overrides -snes_lag_jacobian and -snes_lag_preconditioner", "VfpaSolver", reuse, &reuse, NULL));
  PetscOptionsEnd();
  PetscCall(PetscObjectTypeCompare((PetscObject)s->ts, VFPA_TS_STRANG, &strang));
  if (s->imex && !strang) {
    TSARKIMEXType type;
    PetscCall(TSARKIMEXGetType(s->ts, &type));
    PetscCall(PetscStrcmp(type, VFPA_ARKIMEX_SSP4L, &ssp4l));
  }
  s->reuse_jacobian = (PetscBool)(reuse && (strang || ssp4l));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaSolverSetFromOptions(VfpaSolver s)
{
  TSType type;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsHasHelp(NULL, &s->help));
  PetscCall(ReadOutputDirectory(s));
  PetscCall(VfpaCheckpointPrepareRestart(s->checkpoint, s->output_dir));
  PetscCall(ReadOutputDirectory(s)); /* a restart may have brought the checkpointed run's -output_dir */
  PetscCall(VfpaModelSetFromOptions(s->model, s->params));
  PetscCall(VfpaInitSetDefaultTemperature(s->init, s->model->fp->sigma));
  PetscCall(VfpaInitSetFromOptions(s->init, s->params));
  PetscCall(VfpaModelSetUpMMS(s->model, s->init->type));
  PetscCall(ConfigureTS(s));
  PetscCall(ReadJacobianReuse(s));
  PetscCall(ReadOutputOptions(s));
  PetscCall(TSGetType(s->ts, &type));
  PetscCall(VfpaParamsAddString(s->params, "ts_type", type));
  PetscCall(VfpaCheckpointSetFromOptions(s->checkpoint));
  PetscCall(VfpaCheckpointCheckParams(s->checkpoint, s->params));
  PetscFunctionReturn(0);
}

static PetscReal NextTime(PetscInt k, PetscReal interval) { return k * interval; }

/* The next time a step must land on: the next diagnostics or snapshot time, or the end. */
static PetscErrorCode NextEvent(VfpaSolver s, PetscReal *t_event)
{
  PetscReal max_time;

  PetscFunctionBeginUser;
  PetscCall(TSGetMaxTime(s->ts, &max_time));
  *t_event = PetscMin(PetscMin(NextTime(s->next_diagnostics, s->diagnostics_interval), NextTime(s->next_output, s->output_interval)), max_time);
  PetscFunctionReturn(0);
}

/* The SSP coefficient C of the integrator: a step of C times the forward-Euler positivity limit
   keeps f >= 0 (Gottlieb, Ketcheson & Shu). PETSc's SSP methods: rks2 with s stages has C = s - 1,
   rks3 with s = n^2 stages C = s - n, rk104 C = 6; ARKIMEX ssp4l C = 3; strang C = 2 (m - 1);
   other integrators are taken as C = 1. */
static PetscErrorCode SSPCoefficient(TS ts, PetscReal *C)
{
  PetscBool ssp, rks2, rks3, arkimex, strang;
  TSSSPType type;
  PetscInt  stages;

  PetscFunctionBeginUser;
  *C = 1;
  PetscCall(PetscObjectTypeCompare((PetscObject)ts, VFPA_TS_STRANG, &strang));
  if (strang) {
    PetscCall(VfpaTSStrangGetStages(ts, &stages));
    *C = 2 * (stages - 1);
    PetscFunctionReturn(0);
  }
  PetscCall(PetscObjectTypeCompare((PetscObject)ts, TSARKIMEX, &arkimex));
  if (arkimex) {
    TSARKIMEXType imex;
    PetscBool     ssp4l;
    PetscCall(TSARKIMEXGetType(ts, &imex));
    PetscCall(PetscStrcmp(imex, VFPA_ARKIMEX_SSP4L, &ssp4l));
    if (ssp4l) *C = 3;
    PetscFunctionReturn(0);
  }
  PetscCall(PetscObjectTypeCompare((PetscObject)ts, TSSSP, &ssp));
  if (!ssp) PetscFunctionReturn(0);
  PetscCall(TSSSPGetType(ts, &type));
  PetscCall(TSSSPGetNumStages(ts, &stages));
  PetscCall(PetscStrcmp(type, TSSSPRKS2, &rks2));
  PetscCall(PetscStrcmp(type, TSSSPRKS3, &rks3));
  if (rks2) *C = stages - 1;
  else if (rks3) *C = stages - PetscSqrtReal((PetscReal)stages);
  else *C = 6; /* rk104 */
  PetscFunctionReturn(0);
}

/* The largest step that keeps f >= 0: -cfl times the SSP coefficient times the forward-Euler
   limit of the explicit terms, and at most -ts_dt when given. */
static PetscErrorCode StableStep(VfpaSolver s, Vec U, PetscReal *dt)
{
  PetscFunctionBeginUser;
  PetscCall(VfpaModelStableTimeStep(s->model, U, s->imex, dt));
  *dt *= s->ssp_coefficient;
  if (s->max_dt > 0) *dt = PetscMin(*dt, s->max_dt);
  PetscFunctionReturn(0);
}

/* Before each step: no history is carried over (see VfpaRunState); the positivity limit of the explicit terms caps the step (and the adaptive
   controller's maximum), and the step is shortened to land on the next output time. */
static PetscErrorCode PreStep(TS ts)
{
  VfpaSolver s;
  Vec        U;
  PetscReal  t, dt, dt_stable, t_event = 0;

  PetscFunctionBeginUser;
  PetscCall(TSGetApplicationContext(ts, &s));
  PetscCall(TSRestartStep(ts)); /* no integrator history between steps: restarts continue exactly */
  PetscCall(TSGetTime(ts, &t));
  PetscCall(TSGetSolution(ts, &U));
  PetscCall(StableStep(s, U, &dt_stable));
  if (s->adaptive) {
    TSAdapt adapt;
    PetscCall(TSGetTimeStep(ts, &dt));
    PetscCall(TSGetAdapt(ts, &adapt));
    PetscCall(TSAdaptSetStepLimits(adapt, PETSC_DEFAULT, dt_stable));
    dt = PetscMin(dt, dt_stable);
  } else dt = dt_stable;
  PetscCall(NextEvent(s, &t_event));
  if (t + dt > t_event && t_event > t) dt = t_event - t;
  PetscCall(TSSetTimeStep(ts, dt));
  PetscFunctionReturn(0);
}

/* Before each stage of an IMEX step with s->reuse_jacobian: the first stage of every step attempt
   (a new step, or one started over after a rejection: the step number and rejection count) sets
   the SNES lags to -2, so the Jacobian and preconditioner are assembled at its next Newton iteration
   and then kept (the lag becomes -1) for the step's other implicit stages, whose shift is the same:
   a modified Newton iteration. The stage preconditioner takes the nonlocal coupling from the
   current iterate (vfpa_stagepc.h); only the column factorisation is of the first stage's state. */
static PetscErrorCode PreStage(TS ts, PetscReal t_stage)
{
  VfpaSolver s;
  SNES       snes;
  PetscInt   step, rejections;

  PetscFunctionBeginUser;
  (void)t_stage;
  PetscCall(TSGetApplicationContext(ts, &s));
  PetscCall(TSGetStepNumber(ts, &step));
  PetscCall(TSGetStepRejections(ts, &rejections));
  if (step == s->jacobian_step[0] && rejections == s->jacobian_step[1]) PetscFunctionReturn(0);
  s->jacobian_step[0] = step;
  s->jacobian_step[1] = rejections;
  PetscCall(TSGetSNES(ts, &snes));
  PetscCall(SNESSetLagJacobian(snes, -2));
  PetscCall(SNESSetLagPreconditioner(snes, -2));
  PetscFunctionReturn(0);
}

static PetscErrorCode ComputeRow(VfpaSolver s, PetscInt step, PetscReal t, Vec U)
{
  PetscReal tprev, dt;
  PetscInt  rejected;

  PetscFunctionBeginUser;
  PetscCall(VfpaDiagnosticsCompute(s->diag, U, s->row));
  if (step > 0) {
    PetscCall(TSGetPrevTime(s->ts, &tprev));
    dt = t - tprev;
  } else PetscCall(TSGetTimeStep(s->ts, &dt));
  PetscCall(TSGetStepRejections(s->ts, &rejected));
  s->row[VFPA_DIAG_STEP]     = (PetscReal)step;
  s->row[VFPA_DIAG_T]        = t;
  s->row[VFPA_DIAG_DT]       = dt;
  s->row[VFPA_DIAG_REJECTED] = (PetscReal)(rejected + s->rejected_offset);
  PetscFunctionReturn(0);
}

static PetscErrorCode FormatSeconds(PetscLogDouble seconds, char buf[], size_t len)
{
  PetscFunctionBeginUser;
  if (seconds < 0) PetscCall(PetscStrncpy(buf, "?", len));
  else PetscCall(PetscSNPrintf(buf, len, "%d:%02d:%02d", (int)(seconds / 3600), (int)(seconds / 60) % 60, (int)seconds % 60));
  PetscFunctionReturn(0);
}

/* One progress line; the estimate of the time left assumes the current rate in simulated time. */
static PetscErrorCode Progress(VfpaSolver s, PetscInt step, PetscReal t)
{
  PetscLogDouble now, elapsed;
  PetscReal      max_time;
  char           wall[32], left[32];

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&now));
  PetscCall(TSGetMaxTime(s->ts, &max_time));
  elapsed = now - s->wall_start;
  PetscCall(FormatSeconds(elapsed, wall, sizeof(wall)));
  PetscCall(FormatSeconds(t > s->t_start ? elapsed * (max_time - t) / (t - s->t_start) : -1, left, sizeof(left)));
  PetscCall(PetscPrintf(s->comm, "step %8" PetscInt_FMT "  t %.6e  dt %.3e  H %.6e  L1 %.4e  ubar % .6e  wall %s  left %s\n", step, (double)t, (double)s->row[VFPA_DIAG_DT], (double)s->row[VFPA_DIAG_ENTROPY], (double)s->row[VFPA_DIAG_L1], (double)s->row[VFPA_DIAG_UBAR], wall, left));
  PetscFunctionReturn(0);
}

static PetscErrorCode Snapshot(VfpaSolver s, PetscReal t, PetscInt step, Vec U)
{
  PetscFunctionBeginUser;
  PetscCall(VfpaOutputWriteSnapshot(s->output, U, t, step));
  PetscCall(VfpaDiagnosticsWriteHDF5(s->diag));
  s->last_snapshot_time = t;
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteCheckpoint(VfpaSolver s)
{
  VfpaRunState state;

  PetscFunctionBeginUser;
  PetscCall(TSGetTime(s->ts, &state.time));
  PetscCall(TSGetTimeStep(s->ts, &state.dt));
  PetscCall(TSGetStepNumber(s->ts, &state.step));
  PetscCall(TSGetStepRejections(s->ts, &state.rejected));
  state.rejected += s->rejected_offset;
  state.nsnapshots     = s->output->count;
  state.snapshot_times = s->output->times;
  PetscCall(VfpaCheckpointWrite(s->checkpoint, s->model, s->params, s->U, &state));
  s->last_checkpoint_step = state.step;
  PetscFunctionReturn(0);
}

/* After each step: a time within round-off of the next output time or the end is put exactly on
   it (steps of constant size add up to such times only approximately); then whether a checkpoint
   is due (written by the monitor, once this state's outputs are done), and whether a signal or the
   wall-time limit stops the run here. */
static PetscErrorCode PostStep(TS ts)
{
  VfpaSolver s;
  PetscReal  t, tprev, t_event = 0, max_time;
  PetscInt   step;
  PetscBool  stop;

  PetscFunctionBeginUser;
  PetscCall(TSGetApplicationContext(ts, &s));
  PetscCall(TSGetTime(ts, &t));
  PetscCall(TSGetPrevTime(ts, &tprev));
  PetscCall(NextEvent(s, &t_event));
  if (t != t_event && PetscAbsReal(t - t_event) <= 1e-8 * (t - tprev)) {
    t = t_event;
    PetscCall(TSSetTime(ts, t));
    PetscCall(TSGetMaxTime(ts, &max_time));
    if (t == max_time) PetscCall(TSSetConvergedReason(ts, TS_CONVERGED_TIME));
  }
  PetscCall(TSGetStepNumber(ts, &step));
  PetscCall(VfpaCheckpointDecide(s->checkpoint, t, step, &s->checkpoint_due, &stop));
  if (stop) {
    s->stopped_early = PETSC_TRUE;
    PetscCall(TSSetConvergedReason(ts, TS_CONVERGED_USER));
  }
  PetscFunctionReturn(0);
}

/* After the initial state and after every step: the scheduled outputs that are due. */
static PetscErrorCode Monitor(TS ts, PetscInt step, PetscReal t, Vec U, void *ctx)
{
  VfpaSolver      s   = (VfpaSolver)ctx;
  const PetscReal tol = 1e-9;
  PetscBool       diag_due = PETSC_FALSE, output_due = PETSC_FALSE, have_row = PETSC_FALSE;

  PetscFunctionBeginUser;
  (void)ts;
  while (t >= NextTime(s->next_diagnostics, s->diagnostics_interval) - tol * s->diagnostics_interval) {
    diag_due = PETSC_TRUE;
    s->next_diagnostics++;
  }
  while (t >= NextTime(s->next_output, s->output_interval) - tol * s->output_interval) {
    output_due = PETSC_TRUE;
    s->next_output++;
  }
  if (diag_due || output_due) {
    PetscCall(ComputeRow(s, step, t, U));
    PetscCall(VfpaDiagnosticsRecord(s->diag, s->row));
    have_row = PETSC_TRUE;
  }
  if (output_due) PetscCall(Snapshot(s, t, step, U));
  if (s->monitor_interval && step % s->monitor_interval == 0) {
    if (!have_row) PetscCall(ComputeRow(s, step, t, U));
    PetscCall(Progress(s, step, t));
  }
  if (s->checkpoint_due) {
    PetscCall(WriteCheckpoint(s));
    s->checkpoint_due = PETSC_FALSE;
  }
  PetscFunctionReturn(0);
}

/* The index k of the first output time k * interval after t (k * interval within the monitor's
   tolerance of t counts as done). */
static PetscInt NextIndexAfter(PetscReal t, PetscReal interval) { return (PetscInt)PetscFloorReal(t / interval + 1e-9) + 1; }

/* Continue from the restart checkpoint: state, time, step, step size, output numbering. */
static PetscErrorCode Resume(VfpaSolver s, PetscReal *dt)
{
  VfpaRunState state = {0};

  PetscFunctionBeginUser;
  PetscCall(VfpaCheckpointLoad(s->checkpoint, s->model, s->U, &state));
  PetscCall(VfpaMakeDirectory(s->comm, s->output_dir));
  PetscCall(VfpaDiagnosticsResume(s->diag, s->output_dir, state.time));
  PetscCall(VfpaOutputSetUp(s->output, s->output_dir));
  PetscCall(VfpaOutputResume(s->output, state.nsnapshots, state.snapshot_times));
  PetscCall(TSSetTime(s->ts, state.time));
  PetscCall(TSSetStepNumber(s->ts, state.step));
  s->rejected_offset    = state.rejected;
  s->next_diagnostics   = NextIndexAfter(state.time, s->diagnostics_interval);
  s->next_output        = NextIndexAfter(state.time, s->output_interval);
  s->last_snapshot_time = state.nsnapshots ? state.snapshot_times[state.nsnapshots - 1] : PETSC_MIN_REAL;
  *dt                   = state.dt;
  PetscCall(VfpaRunStateDestroy(&state));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaSolverSetUp(VfpaSolver s)
{
  TSAdapt     adapt;
  TSAdaptType adapt_type;
  PetscReal   dt, t0;

  PetscFunctionBeginUser;
  PetscCall(VfpaModelSetUp(s->model));
  PetscCall(DMCreateGlobalVector(s->model->grid->da, &s->U));
  PetscCall(PetscObjectSetName((PetscObject)s->U, "state"));
  PetscCall(VfpaDiagnosticsCreate(s->model, &s->diag));
  PetscCall(VfpaOutputCreate(s->model, s->params, &s->output));
  PetscCall(SSPCoefficient(s->ts, &s->ssp_coefficient));
  if (s->checkpoint->restart[0]) PetscCall(Resume(s, &dt));
  else {
    PetscCall(VfpaInitApply(s->init, s->model, s->U));
    PetscCall(VfpaMakeDirectory(s->comm, s->output_dir));
    PetscCall(VfpaDiagnosticsSetUp(s->diag, s->output_dir));
    PetscCall(VfpaOutputSetUp(s->output, s->output_dir));
    PetscCall(StableStep(s, s->U, &dt));
  }

  PetscCall(TSSetApplicationContext(s->ts, s));
  if (s->imex) {
    PetscCall(VfpaModelCreateJacobian(s->model, &s->J));
    PetscCall(TSSetRHSFunction(s->ts, NULL, VfpaModelRHSTransport, s->model));
    PetscCall(TSSetIFunction(s->ts, NULL, VfpaModelIFunction, s->model));
    PetscCall(TSSetIJacobian(s->ts, s->J, s->J, VfpaModelIJacobian, s->model));
  } else PetscCall(TSSetRHSFunction(s->ts, NULL, VfpaModelRHSFunction, s->model));
  PetscCall(TSSetSolution(s->ts, s->U));
  PetscCall(TSSetPreStep(s->ts, PreStep));
  if (s->reuse_jacobian) {
    s->jacobian_step[0] = -1; /* no step attempt yet */
    PetscCall(TSSetPreStage(s->ts, PreStage));
  }
  PetscCall(TSSetPostStep(s->ts, PostStep));
  PetscCall(TSMonitorSet(s->ts, Monitor, s, NULL));
  PetscCall(TSSetTimeStep(s->ts, dt));
  PetscCall(TSGetTime(s->ts, &t0));
  PetscCall(VfpaCheckpointSetUp(s->checkpoint, s->output_dir, t0));
  PetscCall(TSSetUp(s->ts));
  PetscCall(TSGetAdapt(s->ts, &adapt));
  PetscCall(TSAdaptGetType(adapt, &adapt_type));
  PetscCall(PetscStrcmp(adapt_type, TSADAPTNONE, &s->adaptive));
  s->adaptive = (PetscBool)!s->adaptive;
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaSolverView(VfpaSolver s, PetscViewer viewer)
{
  TSType      type;
  PetscReal   max_time, dt;
  PetscMPIInt size;
  PetscBool   ssp;
  char        versions[512];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(s->comm, &size));
  PetscCall(VfpaLibraryVersions(versions, sizeof(versions)));
  PetscCall(PetscViewerASCIIPrintf(viewer, "%s\nrun '%s' on %d rank%s\n", versions, s->input_name, size, size > 1 ? "s" : ""));
  PetscCall(VfpaModelView(s->model, viewer));
  PetscCall(VfpaInitView(s->init, viewer));
  PetscCall(TSGetType(s->ts, &type));
  PetscCall(TSGetMaxTime(s->ts, &max_time));
  PetscCall(TSGetTimeStep(s->ts, &dt));
  PetscCall(PetscViewerASCIIPrintf(viewer, "time stepping: TS %s", type));
  PetscCall(PetscObjectTypeCompare((PetscObject)s->ts, TSSSP, &ssp));
  if (ssp) {
    TSSSPType ssp_type;
    PetscInt  stages;
    PetscCall(TSSSPGetType(s->ts, &ssp_type));
    PetscCall(TSSSPGetNumStages(s->ts, &stages));
    PetscCall(PetscViewerASCIIPrintf(viewer, " %s, %" PetscInt_FMT " stages", ssp_type, stages));
  }
  PetscCall(PetscViewerASCIIPrintf(viewer, "%s%s, cfl %g x SSP coefficient %g, first dt %g, up to t = %g\n", s->imex ? (s->reuse_jacobian ? " (IMEX: transport explicit, Fokker-Planck implicit, one Jacobian per step)" : " (IMEX: transport explicit, Fokker-Planck implicit)") : "", s->adaptive ? ", adaptive" : "", (double)s->model->cfl, (double)s->ssp_coefficient, (double)dt, (double)max_time));
  PetscCall(PetscViewerASCIIPrintf(viewer, "output: %s (snapshot every %g, diagnostics every %g", s->output_dir, (double)s->output_interval, (double)s->diagnostics_interval));
  if (s->monitor_interval) PetscCall(PetscViewerASCIIPrintf(viewer, ", progress every %" PetscInt_FMT " steps)\n", s->monitor_interval));
  else PetscCall(PetscViewerASCIIPrintf(viewer, ", no progress lines)\n"));
  PetscCall(VfpaCheckpointView(s->checkpoint, viewer));
  PetscFunctionReturn(0);
}

/* Warn about options that nothing read, most likely misspelt. PETSc reads some solver options
   (-ts_, -snes_, -ksp_, -pc_ ...) only while solving: those are checked after the run. */
static PetscErrorCode WarnUnusedOptions(VfpaSolver s, PetscBool after_solve)
{
  PetscInt n;
  char   **names, **values;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsLeftGet(NULL, &n, &names, &values));
  for (PetscInt k = 0; k < n; k++) {
    PetscBool lazy = PETSC_FALSE;
    for (const char *const *p = (const char *const[]){"ts_", "snes_", "ksp_", "pc_", "mat_", "vec_", "sub_", NULL}; *p && !lazy; p++) PetscCall(PetscStrbeginswith(names[k], *p, &lazy));
    if (lazy == after_solve) PetscCall(PetscPrintf(s->comm, "vfpa: warning: option -%s was not used (misspelt, or not used by this configuration)\n", names[k]));
  }
  PetscCall(PetscOptionsLeftRestore(NULL, &n, &names, &values));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaSolverSolve(VfpaSolver s)
{
  PetscReal        t;
  PetscInt         steps, rejected;
  const PetscReal *last;
  PetscLogDouble   now;

  PetscFunctionBeginUser;
  PetscCall(VfpaSolverView(s, PETSC_VIEWER_STDOUT_(s->comm)));
  PetscCall(WarnUnusedOptions(s, PETSC_FALSE));
  PetscCall(TSGetTime(s->ts, &s->t_start));
  PetscCall(PetscTime(&s->wall_start));
  PetscCall(TSSolve(s->ts, s->U));
  PetscCall(TSGetTime(s->ts, &t));
  PetscCall(TSGetStepNumber(s->ts, &steps));
  PetscCall(TSGetStepRejections(s->ts, &rejected));
  PetscCall(WarnUnusedOptions(s, PETSC_TRUE));
  PetscCall(PetscTime(&now));
  if (s->stopped_early) {
    /* no unscheduled outputs: the continued run must write exactly what an uninterrupted one would */
    PetscCall(VfpaDiagnosticsWriteHDF5(s->diag));
    PetscCall(PetscPrintf(s->comm, "vfpa: stopped early (%s) at t = %g, step %" PetscInt_FMT ", after the checkpoint above; exit code %d: resubmit with -restart latest to continue\n", s->checkpoint->stop_reason, (double)t, steps, VFPA_EXIT_STOPPED_EARLY));
    PetscFunctionReturn(0);
  }
  PetscCall(VfpaDiagnosticsLast(s->diag, &last));
  if (!last || last[VFPA_DIAG_T] < t) {
    PetscCall(ComputeRow(s, steps, t, s->U));
    PetscCall(VfpaDiagnosticsRecord(s->diag, s->row));
  }
  if (s->last_snapshot_time < t) PetscCall(Snapshot(s, t, steps, s->U));
  else PetscCall(VfpaDiagnosticsWriteHDF5(s->diag));
  if (s->last_checkpoint_step != steps) PetscCall(WriteCheckpoint(s));
  PetscCall(PetscPrintf(s->comm, "vfpa: done: t = %g after %" PetscInt_FMT " steps (%" PetscInt_FMT " rejected) in %.1f s; results in %s/ (diagnostics.csv, diagnostics.h5, snap_*.h5, snapshots.xdmf, checkpoint_*.h5)\n", (double)t, steps, rejected + s->rejected_offset, (double)(now - s->wall_start), s->output_dir));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaSolverDestroy(VfpaSolver *solver)
{
  VfpaSolver s = *solver;

  PetscFunctionBeginUser;
  if (!s) PetscFunctionReturn(0);
  PetscCall(VfpaOutputDestroy(&s->output));
  PetscCall(VfpaDiagnosticsDestroy(&s->diag));
  PetscCall(VfpaCheckpointDestroy(&s->checkpoint));
  PetscCall(MatDestroy(&s->J));
  PetscCall(VecDestroy(&s->U));
  PetscCall(TSDestroy(&s->ts));
  PetscCall(VfpaInitDestroy(&s->init));
  PetscCall(VfpaModelDestroy(&s->model));
  PetscCall(VfpaParamsDestroy(&s->params));
  PetscCall(PetscFree(*solver));
  PetscFunctionReturn(0);
}
