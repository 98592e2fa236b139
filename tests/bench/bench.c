/* Microbenchmarks for make bench (tests/bench/bench.py reads their one-line results):
     bench stream N            STREAM-like copy and triad over arrays of N doubles, per rank:
                               "stream copy_GBs triad_GBs" (bytes counted as STREAM does)
     bench rhs [options]       the explicit right-hand side of the model set up from the options:
                               "rhs seconds_per_evaluation cells_per_rank drift_sums" (drift_sums:
                               the moments the drift expansion takes, 0 for passes over f)
     bench average NX METHOD   one nonlocal average of two profiles (VfpaKernelConvolve):
                               "average seconds_per_call" */
#include <string.h>
#include "vfpa.h"

static PetscErrorCode Stream(PetscInt n)
{
  PetscReal     *a, *b, *c, best_copy = PETSC_MAX_REAL, best_triad = PETSC_MAX_REAL;
  PetscLogDouble t0, t1;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc3(n, &a, n, &b, n, &c));
  for (PetscInt i = 0; i < n; i++) a[i] = 1, b[i] = 2, c[i] = 0;
  for (int rep = 0; rep < 10; rep++) {
    PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
    PetscCall(PetscTime(&t0));
    memcpy(c, a, n * sizeof(PetscReal)); /* copy: 16 bytes per element */
    PetscCall(PetscTime(&t1));
    best_copy = PetscMin(best_copy, t1 - t0);
    PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
    PetscCall(PetscTime(&t0));
    for (PetscInt i = 0; i < n; i++) a[i] = b[i] + 3.0 * c[i]; /* triad: 24 bytes per element */
    PetscCall(PetscTime(&t1));
    best_triad = PetscMin(best_triad, t1 - t0);
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "stream %.4f %.4f (check %g)\n", 16.0 * n / best_copy / 1e9, 24.0 * n / best_triad / 1e9, (double)a[n / 2]));
  PetscCall(PetscFree3(a, b, c));
  PetscFunctionReturn(0);
}

/* Time VfpaModelRHSFunction on a non-equilibrium state (after one warm-up evaluation); prints the seconds
   per evaluation, the cells of this rank and the terms of the drift's series (0: passes over f). */
static PetscErrorCode RHS(void)
{
  VfpaParams     params;
  VfpaModel      model;
  VfpaInit       init;
  Vec            U, F;
  PetscInt       reps = 20, xm, vm;
  PetscLogDouble t0, t1;
  PetscLogStage  timed;

  PetscFunctionBeginUser;
  PetscCall(PetscLogStageRegister("Timed RHS", &timed)); /* the timed evaluations alone in -log_view */
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-reps", &reps, NULL));
  PetscCall(VfpaParamsCreate(&params));
  PetscCall(VfpaModelCreate(PETSC_COMM_WORLD, &model));
  PetscCall(VfpaModelSetFromOptions(model, params));
  PetscCall(VfpaInitCreate(PETSC_COMM_WORLD, &init));
  PetscCall(VfpaInitSetDefaultTemperature(init, model->fp->sigma));
  PetscCall(VfpaInitSetFromOptions(init, params));
  PetscCall(VfpaModelSetUp(model));
  PetscCall(DMCreateGlobalVector(model->grid->da, &U));
  PetscCall(VecDuplicate(U, &F));
  PetscCall(VfpaInitApply(init, model, U));
  PetscCall(VfpaModelRHSFunction(NULL, 0, U, F, model));
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  PetscCall(PetscLogStagePush(timed));
  PetscCall(PetscTime(&t0));
  for (PetscInt r = 0; r < reps; r++) PetscCall(VfpaModelRHSFunction(NULL, 0, U, F, model));
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  PetscCall(PetscTime(&t1));
  PetscCall(PetscLogStagePop());
  PetscCall(DMDAGetCorners(model->grid->da, NULL, NULL, NULL, &xm, &vm, NULL));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "rhs %.6e %" PetscInt_FMT " %" PetscInt_FMT "\n", (t1 - t0) / reps, model->grid->xm * model->grid->vm, model->fp->nsums));
  PetscCall(VecDestroy(&U));
  PetscCall(VecDestroy(&F));
  PetscCall(VfpaInitDestroy(&init));
  PetscCall(VfpaModelDestroy(&model));
  PetscCall(VfpaParamsDestroy(&params));
  PetscFunctionReturn(0);
}

static PetscErrorCode Average(const char nx[], const char method[])
{
  VfpaParams     params;
  VfpaGrid       grid;
  VfpaKernel     kernel;
  PetscReal     *q[2], *out[2];
  PetscInt       reps = 0;
  PetscLogDouble t0, t1;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsSetValue(NULL, "-nx", nx));
  PetscCall(PetscOptionsSetValue(NULL, "-nv", "4"));
  PetscCall(PetscOptionsSetValue(NULL, "-average_method", method));
  PetscCall(VfpaParamsCreate(&params));
  PetscCall(VfpaGridCreate(PETSC_COMM_WORLD, &grid));
  PetscCall(VfpaGridSetFromOptions(grid, params));
  PetscCall(VfpaGridSetUp(grid));
  PetscCall(VfpaKernelCreate(PETSC_COMM_WORLD, &kernel));
  PetscCall(VfpaKernelSetFromOptions(kernel, params));
  PetscCall(VfpaKernelSetUp(kernel, grid));
  for (int a = 0; a < 2; a++) {
    PetscCall(VfpaGridProfileCreate(grid, &q[a]));
    PetscCall(VfpaGridProfileCreate(grid, &out[a]));
    for (PetscInt i = grid->gxs; i < grid->gxs + grid->gxm; i++) q[a][i] = 1 + 0.1 * PetscSinReal(i + a);
  }
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  PetscCall(PetscTime(&t0));
  do { /* repeat for at least 0.2 s */
    PetscCall(VfpaKernelConvolve(kernel, 2, (const PetscReal *const *)q, out));
    reps++;
    PetscCall(PetscTime(&t1));
    PetscCallMPI(MPI_Bcast(&t1, 1, MPI_DOUBLE, 0, PETSC_COMM_WORLD));
  } while (t1 - t0 < 0.2);
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "average %.6e\n", (t1 - t0) / reps));
  for (int a = 0; a < 2; a++) {
    PetscCall(VfpaGridProfileDestroy(grid, &q[a]));
    PetscCall(VfpaGridProfileDestroy(grid, &out[a]));
  }
  PetscCall(VfpaKernelDestroy(&kernel));
  PetscCall(VfpaGridDestroy(&grid));
  PetscCall(VfpaParamsDestroy(&params));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscCall(VfpaInitialize(&argc, &argv, NULL));
  PetscCall(VfpaLogRegister());
  if (argc >= 3 && !strcmp(argv[1], "stream")) PetscCall(Stream((PetscInt)atol(argv[2])));
  else if (argc >= 2 && !strcmp(argv[1], "rhs")) PetscCall(RHS());
  else if (argc >= 4 && !strcmp(argv[1], "average")) PetscCall(Average(argv[2], argv[3]));
  else PetscCall(PetscPrintf(PETSC_COMM_WORLD, "usage: bench stream N | bench rhs [options] | bench average NX modes|quadrature\n"));
  PetscCall(PetscFinalize());
  return 0;
}
