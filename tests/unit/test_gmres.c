/* Unit test of VfpaGMRES (vfpa_gmres.h) on x profiles split over the ranks along x:
   - a nonsymmetric system A y = d y + p (q . y), diagonal d with nx distinct values plus a rank-one
     coupling of every cell to every other, is solved to the requested tolerance and gives the
     known solution (GMRES needs about nx iterations here: it exercises a long Krylov basis);
   - b = 0 gives y = 0 with no iteration;
   - with -momentum_max_it 3 the solve stops at the limit, counts one unconverged solve, and still
     returns the GMRES iterate: its residual is below |b| (GMRES minimises it over a space that
     contains y = 0) and above the converged one;
   - a singular operator, A y = d y with d = 0, 1, 2 cell after cell and b = 1: the Krylov space has
     dimension 3, A maps it into a plane, and the solve stops there (counted as singular and
     unconverged) with the iterate of the plane, y = p(d) with p(t) = (3 - t) / 2, which solves the
     cells d > 0 exactly (finite: no division by the vanishing diagonal). */
#include "unit.h"
#include "vfpa_gmres.h"

typedef struct {
  VfpaGrid         grid;
  const PetscReal *d, *p, *q; /* owned x cells */
} Operator;

/* out = d in + p (sum over all x cells of q in). */
static PetscErrorCode Apply(void *context, const PetscReal *in, PetscReal *out)
{
  Operator *A   = (Operator *)context;
  PetscReal dot = 0;

  PetscFunctionBeginUser;
  for (PetscInt b = 0; b < A->grid->xm; b++) dot += A->q[b] * in[b];
  PetscCall(VfpaGridSumOverRow(A->grid, 1, &dot));
  for (PetscInt b = 0; b < A->grid->xm; b++) out[b] = A->d[b] * in[b] + A->p[b] * dot;
  PetscFunctionReturn(0);
}

/* |v| over all x cells (the ranks along x; those of another velocity range hold the same profile). */
static PetscReal Norm(VfpaGrid g, const PetscReal *v)
{
  PetscReal sum = 0;

  for (PetscInt b = 0; b < g->xm; b++) sum += v[b] * v[b];
  PetscCallAbort(PETSC_COMM_SELF, VfpaGridSumOverRow(g, 1, &sum));
  return PetscSqrtReal(sum);
}

/* The residual |b - A y| relative to |b|. */
static PetscReal RelativeResidual(Operator *A, const PetscReal *b, const PetscReal *y, PetscReal *work)
{
  PetscCallAbort(PETSC_COMM_SELF, Apply(A, y, work));
  for (PetscInt k = 0; k < A->grid->xm; k++) work[k] = b[k] - work[k];
  return Norm(A->grid, work) / Norm(A->grid, b);
}

static PetscErrorCode Solve(Operator *A, const char max_it[], const PetscReal *b, PetscReal *y, VfpaGMRES *gmres)
{
  PetscFunctionBeginUser;
  PetscCall(PetscOptionsSetValue(NULL, "-momentum_max_it", max_it));
  PetscCall(VfpaGMRESCreate(PETSC_COMM_WORLD, gmres));
  PetscCall(VfpaGMRESSetOperator(*gmres, Apply, A));
  PetscCall(VfpaGMRESSetFromOptions(*gmres));
  PetscCall(VfpaGMRESSetUp(*gmres, A->grid));
  PetscCall(VfpaGMRESSolve(*gmres, b, y));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  VfpaParams params;
  VfpaGrid   g;
  VfpaGMRES  gmres;
  Operator   A;
  PetscReal *d, *p, *q, *exact, *b, *y, *work, err = 0, scale = 0, full_residual, short_residual;
  PetscInt   iterations;

  PetscFunctionBeginUser;
  PetscCall(VfpaInitialize(&argc, &argv, NULL));
  PetscCall(PetscOptionsSetValue(NULL, "-nx", "40"));
  PetscCall(PetscOptionsSetValue(NULL, "-nv", "8"));
  PetscCall(UnitGridCreate(&params, &g));
  PetscCall(PetscMalloc7(g->xm, &d, g->xm, &p, g->xm, &q, g->xm, &exact, g->xm, &b, g->xm, &y, g->xm, &work));
  for (PetscInt k = 0; k < g->xm; k++) {
    const PetscReal x = g->x[g->xs + k] / g->L;
    d[k]     = 2 + x + 0.3 * PetscSinReal(7 * x);
    p[k]     = 0.4 * PetscCosReal(2 * PETSC_PI * x);
    q[k]     = g->dx * (1 + x);
    exact[k] = PetscCosReal(3 * x) + x;
  }
  A = (Operator){.grid = g, .d = d, .p = p, .q = q};
  PetscCall(Apply(&A, exact, b));

  PetscCall(Solve(&A, "100", b, y, &gmres));
  for (PetscInt k = 0; k < g->xm; k++) err = MaxKeepNaN(err, PetscAbsReal(y[k] - exact[k])), scale = MaxKeepNaN(scale, PetscAbsReal(exact[k]));
  err           = GlobalMax(err) / GlobalMax(scale);
  full_residual = RelativeResidual(&A, b, y, work);
  EXPECT(full_residual <= 1e-13, "GMRES residual %g, above the tolerance 1e-14 (with round-off)", (double)full_residual);
  EXPECT(err <= 1e-12, "GMRES solution differs from the exact one by %g (relative)", (double)err);
  EXPECT(gmres->solves == 1 && gmres->unconverged == 0 && gmres->iterations > 3 && gmres->iterations <= g->nx + 1, "solves %" PetscInt_FMT ", unconverged %" PetscInt_FMT ", iterations %" PetscInt_FMT, gmres->solves, gmres->unconverged, gmres->iterations);
  iterations = gmres->iterations;
  PetscCall(PetscArrayzero(work, g->xm));
  PetscCall(VfpaGMRESSolve(gmres, work, y));
  EXPECT(Norm(g, y) == 0 && gmres->iterations == iterations, "b = 0 gave |y| = %g after %" PetscInt_FMT " iterations, not y = 0 without any", (double)Norm(g, y), gmres->iterations - iterations);
  PetscCall(VfpaGMRESDestroy(&gmres));

  PetscCall(Solve(&A, "3", b, y, &gmres));
  short_residual = RelativeResidual(&A, b, y, work);
  EXPECT(gmres->unconverged == 1 && gmres->iterations == 3, "with -momentum_max_it 3: unconverged %" PetscInt_FMT ", iterations %" PetscInt_FMT, gmres->unconverged, gmres->iterations);
  EXPECT(short_residual < 1 && short_residual > full_residual, "3 iterations leave the residual %g (relative), not between the converged %g and 1", (double)short_residual, (double)full_residual);
  PetscCall(VfpaGMRESDestroy(&gmres));

  for (PetscInt k = 0; k < g->xm; k++) {
    d[k] = (PetscReal)((g->xs + k) % 3);
    p[k] = 0;
    b[k] = 1;
  }
  PetscCall(Solve(&A, "100", b, y, &gmres));
  err = 0;
  for (PetscInt k = 0; k < g->xm; k++) err = MaxKeepNaN(err, PetscAbsReal(y[k] - (3 - d[k]) / 2));
  err = GlobalMax(err);
  EXPECT(gmres->singular == 1 && gmres->unconverged == 1 && gmres->iterations == 2, "singular operator: singular %" PetscInt_FMT ", unconverged %" PetscInt_FMT ", iterations %" PetscInt_FMT ", expected 1, 1, 2", gmres->singular, gmres->unconverged, gmres->iterations);
  EXPECT(err <= 1e-12, "singular operator: y differs from (3 - d) / 2 by %g", (double)err);
  PetscCall(VfpaGMRESDestroy(&gmres));

  PetscCall(PetscFree7(d, p, q, exact, b, y, work));
  PetscCall(VfpaGridDestroy(&g));
  PetscCall(VfpaParamsDestroy(&params));
  PetscCall(UNIT_SUMMARY());
  PetscCall(PetscFinalize());
  return unit_failures;
}
