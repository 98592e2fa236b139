/* Scharfetter-Gummel Fokker-Planck-Alignment operator with a momentum-exact drift. */
#include <math.h>
#include "vfpa_fokkerplanck.h"
#include "vfpa_log.h"
#include "vfpa_sys.h"

const char *const VfpaDriftRules[] = {"momentum", "average", NULL};

/* Newton steps on the drift stop once |Delta| dv / sigma is below this; the first-order correction
   in Delta then changes P and Q by less than that relative amount (their positivity needs it < 1). */
#define DRIFT_NEWTON_TOL 1e-6
#define DRIFT_NEWTON_MAX 50

/* B(z) = z / (e^z - 1) and B'(z), without overflow or cancellation. */
void VfpaBernoulli(PetscReal z, PetscReal *B, PetscReal *dB)
{
  if (PetscAbsReal(z) < 1e-3) {
    const PetscReal z2 = z * z;
    *B  = 1 - 0.5 * z + z2 / 12 - z2 * z2 / 720;
    *dB = -0.5 + z / 6 - z2 * z / 180;
  } else if (z > 0) {
    const PetscReal em = PetscExpReal(-z), q = -expm1(-z); /* q = 1 - e^{-z} */
    *B  = z * em / q;
    *dB = em / q - z * em / (q * q);
  } else {
    const PetscReal e = expm1(z); /* e^z - 1 in (-1, 0) */
    *B  = z / e;
    *dB = 1 / e - z * (e + 1) / (e * e);
  }
}

PetscErrorCode VfpaFokkerPlanckCreate(MPI_Comm comm, VfpaFokkerPlanck *fp)
{
  PetscFunctionBeginUser;
  PetscCall(PetscNew(fp));
  (*fp)->comm       = comm;
  (*fp)->sigma      = 1;
  (*fp)->drift_rule = VFPA_DRIFT_MOMENTUM;
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaFokkerPlanckSetFromOptions(VfpaFokkerPlanck fp, VfpaParams params)
{
  char     rule[64];
  PetscInt index;

  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(rule, VfpaDriftRules[fp->drift_rule], sizeof(rule)));
  PetscOptionsBegin(fp->comm, NULL, "vfpa Fokker-Planck operator", "VfpaFokkerPlanck");
  PetscCall(PetscOptionsReal("-sigma", "noise level sigma > 0 (the temperature of the equilibrium)", "VfpaFokkerPlanck", fp->sigma, &fp->sigma, NULL));
  PetscCall(PetscOptionsString("-fp_drift", "drift of the Scharfetter-Gummel flux: momentum (exact momentum exchange) or average (c = [u])", "VfpaFokkerPlanck", rule, rule, sizeof(rule), NULL));
  PetscOptionsEnd();
  PetscCall(VfpaCheckReal(fp->comm, "-sigma", fp->sigma, 0, PETSC_MAX_REAL, PETSC_TRUE, PETSC_FALSE));
  PetscCall(VfpaChoiceFind(fp->comm, VfpaDriftRules, "-fp_drift", rule, &index));
  fp->drift_rule = (VfpaDriftRule)index;
  PetscCall(VfpaParamsAddReal(params, "sigma", fp->sigma));
  PetscCall(VfpaParamsAddString(params, "fp_drift", VfpaDriftRules[fp->drift_rule]));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaFokkerPlanckSetUp(VfpaFokkerPlanck fp, VfpaGrid grid)
{
  PetscInt nfaces;

  PetscFunctionBeginUser;
  fp->grid   = grid;
  fp->fstart = PetscMax(grid->vs - 1, 0);
  fp->fend   = PetscMin(grid->vs + grid->vm, grid->nv - 1);
  fp->block  = grid->column_size > 1 ? grid->xm : 1;
  nfaces     = fp->fend - fp->fstart;
  PetscCall(PetscMalloc2(fp->block * nfaces, &fp->P, fp->block * nfaces, &fp->Q));
  PetscCall(PetscMalloc3(fp->block, &fp->c, fp->block, &fp->delta, 2 * fp->block, &fp->sums));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaFokkerPlanckView(VfpaFokkerPlanck fp, PetscViewer viewer)
{
  PetscFunctionBeginUser;
  PetscCall(PetscViewerASCIIPrintf(viewer, "Fokker-Planck: sigma %g, Scharfetter-Gummel flux, drift rule %s\n", (double)fp->sigma, VfpaDriftRules[fp->drift_rule]));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaFokkerPlanckDestroy(VfpaFokkerPlanck *fp)
{
  PetscFunctionBeginUser;
  if (!*fp) PetscFunctionReturn(0);
  PetscCall(PetscFree2((*fp)->P, (*fp)->Q));
  PetscCall(PetscFree3((*fp)->c, (*fp)->delta, (*fp)->sums));
  PetscCall(PetscFree(*fp));
  PetscFunctionReturn(0);
}

/* For the batch of x cells [i0, i0 + nb) at drifts c: P = B(z), Q = B'(z) on the local faces, and
   the owned faces' parts of sigma sum [B(-z) f_{j+1} - B(z) f_j] and of its c-derivative
   dv sum [-(B'(z) + 1) f_{j+1} + B'(z) f_j], using B(-z) = B(z) + z. */
static void EvaluateFaces(VfpaFokkerPlanck fp, const PetscScalar *const *f, PetscInt i0, PetscInt nb)
{
  VfpaGrid       g      = fp->grid;
  const PetscInt nfaces = fp->fend - fp->fstart;

  for (PetscInt b = 0; b < nb; b++) {
    PetscReal R = 0, dR = 0;
    for (PetscInt j = fp->fstart; j < fp->fend; j++) {
      const PetscReal z = g->dv * (g->vface[j] - fp->c[b]) / fp->sigma, lo = f[j][i0 + b], hi = f[j + 1][i0 + b];
      PetscReal       B, dB;
      VfpaBernoulli(z, &B, &dB);
      fp->P[b * nfaces + j - fp->fstart] = B;
      fp->Q[b * nfaces + j - fp->fstart] = dB;
      if (j >= g->vs) {
        R += fp->sigma * ((B + z) * hi - B * lo);
        dR += g->dv * (-(dB + 1) * hi + dB * lo);
      }
    }
    fp->sums[2 * b]     = R;
    fp->sums[2 * b + 1] = dR;
  }
}

/* The face coefficients P, Q of the batch [i0, i0 + nb), see the header. */
static PetscErrorCode ComputeFaceCoefficients(VfpaFokkerPlanck fp, const PetscScalar *const *f, VfpaMoments m, const PetscReal *avg_u, PetscInt i0, PetscInt nb)
{
  VfpaGrid       g      = fp->grid;
  const PetscInt nfaces = fp->fend - fp->fstart;
  PetscInt       it;

  PetscFunctionBeginUser;
  for (PetscInt b = 0; b < nb; b++) {
    fp->c[b]     = avg_u[i0 + b];
    fp->delta[b] = 0;
  }
  for (it = 0; it < DRIFT_NEWTON_MAX; it++) {
    PetscReal worst = 0;
    EvaluateFaces(fp, f, i0, nb);
    if (fp->drift_rule == VFPA_DRIFT_AVERAGE) break;
    PetscCall(VfpaGridSumOverColumn(g, 2 * nb, fp->sums));
    for (PetscInt b = 0; b < nb; b++) {
      const PetscInt  i  = i0 + b;
      const PetscReal R  = fp->sums[2 * b] + m->rho[i] * avg_u[i] - m->rhou[i];
      const PetscReal dR = fp->sums[2 * b + 1];
      fp->delta[b]       = dR < 0 ? -R / dR : 0;
      worst              = PetscMax(worst, PetscAbsReal(fp->delta[b]) * g->dv / fp->sigma);
    }
    if (worst <= DRIFT_NEWTON_TOL) break;
    for (PetscInt b = 0; b < nb; b++) fp->c[b] += fp->delta[b];
  }
  PetscCheck(it < DRIFT_NEWTON_MAX, PETSC_COMM_SELF, PETSC_ERR_NOT_CONVERGED, "the Fokker-Planck drift did not converge near x = %g: refine -nv so that dv^2 resolves sigma = %g", (double)g->x[i0], (double)fp->sigma);
  fp->newton_its = it;
  for (PetscInt b = 0; b < nb; b++) {
    const PetscReal scale = fp->delta[b] * g->dv / fp->sigma;
    for (PetscInt j = fp->fstart; j < fp->fend; j++) {
      const PetscInt  k = b * nfaces + j - fp->fstart;
      const PetscReal z = g->dv * (g->vface[j] - fp->c[b]) / fp->sigma, B = fp->P[k], dB = fp->Q[k];
      fp->P[k]          = B + z - scale * (dB + 1);
      fp->Q[k]          = B - scale * dB;
    }
  }
  PetscFunctionReturn(0);
}

/* rhs[j][i] += (J_{j+1/2} - J_{j-1/2}) / dv on the owned cells, with zero flux at the walls. */
PetscErrorCode VfpaFokkerPlanckApply(VfpaFokkerPlanck fp, const PetscScalar *const *f, VfpaMoments m, const PetscReal *s, const PetscReal *avg_u, PetscScalar **rhs)
{
  VfpaGrid       g      = fp->grid;
  const PetscInt nfaces = fp->fend - fp->fstart;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(VFPA_FokkerPlanck, 0, 0, 0, 0));
  for (PetscInt i0 = g->xs; i0 < g->xs + g->xm; i0 += fp->block) {
    PetscCall(ComputeFaceCoefficients(fp, f, m, avg_u, i0, fp->block));
    for (PetscInt b = 0; b < fp->block; b++) {
      const PetscInt  i     = i0 + b;
      const PetscReal scale = s[i] * fp->sigma / (g->dv * g->dv);
      PetscReal       below = 0; /* J / dv at the face under the current row */
      if (g->vs > 0) below = scale * (fp->P[b * nfaces] * f[g->vs][i] - fp->Q[b * nfaces] * f[g->vs - 1][i]);
      for (PetscInt j = g->vs; j < g->vs + g->vm; j++) {
        PetscReal above = 0;
        if (j < g->nv - 1) {
          const PetscInt k = b * nfaces + j - fp->fstart;
          above            = scale * (fp->P[k] * f[j + 1][i] - fp->Q[k] * f[j][i]);
        }
        rhs[j][i] += above - below;
        below = above;
      }
    }
  }
  PetscCall(PetscLogEventEnd(VFPA_FokkerPlanck, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* A = shift I - d(d_v J)/df with s and the face coefficients frozen: a tridiagonal block per x
   column. Rows of A outside the velocity grid (the strength row) are not touched here. */
PetscErrorCode VfpaFokkerPlanckAssemble(VfpaFokkerPlanck fp, const PetscScalar *const *f, VfpaMoments m, const PetscReal *s, const PetscReal *avg_u, PetscReal shift, Mat A)
{
  VfpaGrid       g      = fp->grid;
  const PetscInt nfaces = fp->fend - fp->fstart;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(VFPA_FokkerPlanck, 0, 0, 0, 0));
  for (PetscInt i0 = g->xs; i0 < g->xs + g->xm; i0 += fp->block) {
    PetscCall(ComputeFaceCoefficients(fp, f, m, avg_u, i0, fp->block));
    for (PetscInt b = 0; b < fp->block; b++) {
      const PetscInt  i     = i0 + b;
      const PetscReal scale = s[i] * fp->sigma / (g->dv * g->dv);
      for (PetscInt j = g->vs; j < g->vs + g->vm; j++) {
        MatStencil  row = {.i = i, .j = j}, cols[3];
        PetscScalar vals[3];
        PetscInt    n   = 0;
        PetscReal   diag = 0;
        if (j > 0) {
          const PetscInt k = b * nfaces + j - 1 - fp->fstart; /* face j-1/2 */
          cols[n].i = i, cols[n].j = j - 1, vals[n++] = -scale * fp->Q[k];
          diag += scale * fp->P[k];
        }
        if (j < g->nv - 1) {
          const PetscInt k = b * nfaces + j - fp->fstart; /* face j+1/2 */
          cols[n].i = i, cols[n].j = j + 1, vals[n++] = -scale * fp->P[k];
          diag += scale * fp->Q[k];
        }
        cols[n].i = i, cols[n].j = j, vals[n++] = shift + diag;
        PetscCall(MatSetValuesStencil(A, 1, &row, n, cols, vals, INSERT_VALUES));
      }
    }
  }
  PetscCall(PetscLogEventEnd(VFPA_FokkerPlanck, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* An upper bound of the diagonal rate s sigma / dv^2 (Q_{j+1/2} + P_{j-1/2}) for strengths up to
   smax: B(z) <= 1 + max(-z, 0) and |z| <= 2 vmax dv / sigma give s (2 sigma / dv^2 + 4 vmax / dv). */
PetscErrorCode VfpaFokkerPlanckMaxRate(VfpaFokkerPlanck fp, PetscReal smax, PetscReal *rate)
{
  VfpaGrid g = fp->grid;

  PetscFunctionBeginUser;
  *rate = smax * (2 * fp->sigma / (g->dv * g->dv) + 4 * g->vmax / g->dv);
  PetscFunctionReturn(0);
}
