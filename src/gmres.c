/* GMRES on profiles over the owned x cells (see vfpa_gmres.h). */
#include "vfpa_gmres.h"
#include "vfpa_sys.h"

PetscErrorCode VfpaGMRESCreate(MPI_Comm comm, VfpaGMRES *gmres)
{
  PetscFunctionBeginUser;
  PetscCall(PetscNew(gmres));
  (*gmres)->comm   = comm;
  (*gmres)->rtol   = 1e-14;
  (*gmres)->max_it = 100;
  PetscFunctionReturn(0);
}

/* The operator y = A x on the owned x cells of profiles (arrays of xm values). */
PetscErrorCode VfpaGMRESSetOperator(VfpaGMRES gmres, VfpaProfileOperator op, void *ctx)
{
  PetscFunctionBeginUser;
  gmres->op  = op;
  gmres->ctx = ctx;
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaGMRESSetFromOptions(VfpaGMRES gmres)
{
  PetscFunctionBeginUser;
  PetscOptionsBegin(gmres->comm, NULL, "vfpa momentum system of the IMEX stage preconditioner", "VfpaGMRES");
  PetscCall(PetscOptionsReal("-momentum_rtol", "GMRES on the momentum system stops once its residual is at most rtol times the right-hand side", "VfpaGMRES", gmres->rtol, &gmres->rtol, NULL));
  PetscCall(PetscOptionsInt("-momentum_max_it", "largest number of GMRES iterations on the momentum system (no restarts: one x profile of memory each)", "VfpaGMRES", gmres->max_it, &gmres->max_it, NULL));
  PetscOptionsEnd();
  PetscCall(VfpaCheckReal(gmres->comm, "-momentum_rtol", gmres->rtol, 0, 1, PETSC_TRUE, PETSC_TRUE));
  PetscCheck(gmres->max_it >= 1, gmres->comm, PETSC_ERR_USER_INPUT, "-momentum_max_it %" PetscInt_FMT " must be >= 1", gmres->max_it);
  PetscFunctionReturn(0);
}

/* Work space for the profiles of grid (the basis itself grows during the solves). */
PetscErrorCode VfpaGMRESSetUp(VfpaGMRES gmres, VfpaGrid grid)
{
  const PetscInt m = gmres->max_it;

  PetscFunctionBeginUser;
  gmres->grid = grid;
  PetscCall(PetscCalloc1(m + 1, &gmres->basis));
  PetscCall(PetscMalloc5((m + 1) * m, &gmres->hessenberg, m, &gmres->cs, m, &gmres->sn, m + 1, &gmres->g, m + 1, &gmres->proj));
  PetscFunctionReturn(0);
}

/* Basis profile k, allocated when first needed. */
static PetscErrorCode BasisProfile(VfpaGMRES gmres, PetscInt k, PetscReal **v)
{
  PetscFunctionBeginUser;
  if (k >= gmres->allocated) {
    PetscCall(PetscMalloc1(gmres->grid->xm, &gmres->basis[k]));
    gmres->allocated = k + 1;
  }
  *v = gmres->basis[k];
  PetscFunctionReturn(0);
}

/* w -= sum_j h_j V_j over the basis profiles 0..k with h = V^T w, twice (classical Gram-Schmidt with
   one reorthogonalisation, each pass one allreduce of k + 1 sums); h, the sum of both passes, is
   column k of the Hessenberg matrix, and its entry k + 1 = |w| after both. */
static PetscErrorCode Orthogonalise(VfpaGMRES gmres, PetscInt k, PetscReal *restrict w, PetscReal *restrict h)
{
  const PetscInt n = gmres->grid->xm;
  PetscReal     *proj = gmres->proj, norm;

  PetscFunctionBeginUser;
  PetscCall(PetscArrayzero(h, k + 2));
  for (PetscInt sweep = 0; sweep < 2; sweep++) {
    for (PetscInt j = 0; j <= k; j++) proj[j] = VfpaProfileDot(n, w, gmres->basis[j]);
    PetscCall(VfpaGridSumOverRow(gmres->grid, k + 1, proj));
    for (PetscInt j = 0; j <= k; j++) {
      const PetscReal *restrict v = gmres->basis[j];
      for (PetscInt b = 0; b < n; b++) w[b] -= proj[j] * v[b];
      h[j] += proj[j];
    }
  }
  norm = VfpaProfileDot(n, w, w);
  PetscCall(VfpaGridSumOverRow(gmres->grid, 1, &norm));
  h[k + 1] = PetscSqrtReal(norm);
  PetscFunctionReturn(0);
}

/* Apply the rotations 0..k-1 to column h of iteration k, then the new rotation k that zeroes h[k + 1],
   to h and to the right-hand side g: |g[k + 1]| is then the residual norm. */
static void Rotate(VfpaGMRES gmres, PetscInt k, PetscReal *h)
{
  PetscReal *cs = gmres->cs, *sn = gmres->sn, *g = gmres->g, r;

  for (PetscInt j = 0; j < k; j++) {
    const PetscReal a = h[j], b = h[j + 1];
    h[j]     = cs[j] * a + sn[j] * b;
    h[j + 1] = -sn[j] * a + cs[j] * b;
  }
  r        = PetscSqrtReal(h[k] * h[k] + h[k + 1] * h[k + 1]);
  cs[k]    = r > 0 ? h[k] / r : 1;
  sn[k]    = r > 0 ? h[k + 1] / r : 0;
  h[k]     = r;
  h[k + 1] = 0;
  g[k + 1] = -sn[k] * g[k];
  g[k]     = cs[k] * g[k];
}

/* y = sum_j c_j V_j over the k basis profiles, with c solving the rotated (upper triangular)
   Hessenberg system R c = g. */
static void Combine(VfpaGMRES gmres, PetscInt k, PetscReal *restrict y)
{
  const PetscInt   n = gmres->grid->xm, m = gmres->max_it + 1;
  const PetscReal *R = gmres->hessenberg;
  PetscReal       *c = gmres->g;

  for (PetscInt j = k - 1; j >= 0; j--) {
    PetscReal t = c[j];
    for (PetscInt l = j + 1; l < k; l++) t -= R[l * m + j] * c[l];
    c[j] = t / R[j * m + j];
  }
  PetscArrayzero(y, n);
  for (PetscInt j = 0; j < k; j++) {
    const PetscReal *restrict v = gmres->basis[j];
    for (PetscInt b = 0; b < n; b++) y[b] += c[j] * v[b];
  }
}

/* A rotated Hessenberg column whose diagonal is below this fraction of the column's norm means
   A v_k lies in the span of A v_0 .. A v_{k-1}: the operator is singular on the Krylov space (up to
   round-off), and v_k cannot lower the residual. */
#define SINGULAR_TOL 1e-13

/* y = A^{-1} b on the owned x cells, from y = 0: Arnoldi with the Hessenberg matrix reduced by Givens
   rotations as it grows, until |b - A y| <= rtol |b|, an exact Krylov space (h_{k+1,k} = 0) or
   max_it iterations. On an operator singular on the Krylov space it stops before the basis
   profile that would divide by the vanishing diagonal, with the least-squares iterate so far. */
PetscErrorCode VfpaGMRESSolve(VfpaGMRES gmres, const PetscReal b[], PetscReal y[])
{
  const PetscInt n = gmres->grid->xm, m = gmres->max_it + 1;
  PetscReal     *v0 = NULL, beta = VfpaProfileDot(n, b, b);
  PetscInt       k;
  PetscBool      converged = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCall(VfpaGridSumOverRow(gmres->grid, 1, &beta));
  beta = PetscSqrtReal(beta);
  gmres->solves++;
  if (beta == 0) {
    PetscCall(PetscArrayzero(y, n));
    PetscFunctionReturn(0);
  }
  PetscCall(BasisProfile(gmres, 0, &v0));
  for (PetscInt i = 0; i < n; i++) v0[i] = b[i] / beta;
  gmres->g[0] = beta;
  for (k = 0; k < gmres->max_it && !converged; k++) {
    PetscReal *w = NULL, *h = gmres->hessenberg + k * m;
    PetscCall(BasisProfile(gmres, k + 1, &w));
    PetscCall(gmres->op(gmres->ctx, gmres->basis[k], w));
    PetscCall(Orthogonalise(gmres, k, w, h));
    const PetscReal norm = h[k + 1], column = VfpaProfileDot(k + 2, h, h);
    Rotate(gmres, k, h);
    if (h[k] <= SINGULAR_TOL * PetscSqrtReal(column)) {
      gmres->singular++;
      break;
    }
    converged = (PetscBool)(PetscAbsReal(gmres->g[k + 1]) <= gmres->rtol * beta || norm == 0);
    if (norm > 0)
      for (PetscInt i = 0; i < n; i++) w[i] /= norm;
  }
  Combine(gmres, k, y);
  gmres->iterations += k;
  gmres->most = PetscMax(gmres->most, k);
  if (!converged) gmres->unconverged++;
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaGMRESView(VfpaGMRES gmres, PetscViewer viewer)
{
  PetscFunctionBeginUser;
  PetscCall(PetscViewerASCIIPrintf(viewer, "GMRES without restarts (classical Gram-Schmidt, reorthogonalised): rtol %g, at most %" PetscInt_FMT " iterations\n", (double)gmres->rtol, gmres->max_it));
  if (gmres->solves) PetscCall(PetscViewerASCIIPrintf(viewer, "%" PetscInt_FMT " solves so far: %.1f iterations on average, at most %" PetscInt_FMT "; %" PetscInt_FMT " did not converge, %" PetscInt_FMT " of them on a singular operator\n", gmres->solves, (double)gmres->iterations / (double)gmres->solves, gmres->most, gmres->unconverged, gmres->singular));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaGMRESDestroy(VfpaGMRES *gmres)
{
  PetscFunctionBeginUser;
  if (!*gmres) PetscFunctionReturn(0);
  for (PetscInt k = 0; k < (*gmres)->allocated; k++) PetscCall(PetscFree((*gmres)->basis[k]));
  PetscCall(PetscFree((*gmres)->basis));
  PetscCall(PetscFree5((*gmres)->hessenberg, (*gmres)->cs, (*gmres)->sn, (*gmres)->g, (*gmres)->proj));
  PetscCall(PetscFree(*gmres));
  PetscFunctionReturn(0);
}
