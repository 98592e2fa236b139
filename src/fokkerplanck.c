/* Scharfetter-Gummel Fokker-Planck-Alignment operator with a momentum-exact drift. */
#include <math.h>
#include "vfpa_fokkerplanck.h"
#include "vfpa_log.h"
#include "vfpa_sys.h"

const char *const VfpaDriftRules[] = {"momentum", "average", NULL};

/* Newton steps on the drift stop once |Delta| dv / sigma is below this. The momentum identity holds
   for any Delta; the first-order correction in Delta departs from the flux at the corrected drift by
   about (Delta dv / sigma)^2, and keeps P, Q > 0 while Delta dv / sigma < 1. On a resolved velocity
   grid Delta is a truncation error, so no Newton step is taken. */
#define DRIFT_NEWTON_TOL 1e-2
#define DRIFT_NEWTON_MAX 50

/* The moment expansion of R(c) (see the header) is taken where the terms it leaves out of every
   weight W_j(c), c in [-vmax, vmax], add up to at most DRIFT_TERM_TOL sigma, near the rounding
   errors of the weights themselves, with at most VFPA_MOMENTS_MAX_WEIGHTS sums beyond rho and
   rho u, and only where 2 a vmax <= DRIFT_MAX_W, so that the Taylor series of g(w) converge fast
   (their radius is 2 pi) and the terms summed up to degree DRIFT_TAIL_DEGREE bound the tail. */
#define DRIFT_TERM_TOL    1e-14
#define DRIFT_MAX_DEGREE  (VFPA_MOMENTS_MAX_WEIGHTS + 1)
#define DRIFT_MAX_W       1.0
#define DRIFT_TAIL_DEGREE 23

/* B(z) from e^z takes its Taylor series where |z| is below this (see BernoulliFromExp). */
#define SERIES_BELOW 1e-3

/* B(z) = z / (e^z - 1) and B'(z) from w = e^{-|z|} in (0, 1] and 1 - w, without overflow:
   z > 0: B = z w / (1 - w),  B' = w (1 - w - z) / (1 - w)^2;
   z < 0: B = |z| / (1 - w),  B' = (w - 1 + |z| w) / (1 - w)^2;  a Taylor series for |z| < 1e-3. */
static inline void BernoulliFromW(PetscReal z, PetscReal w, PetscReal one_minus_w, PetscReal *B, PetscReal *dB)
{
  if (PetscAbsReal(z) < 1e-3) {
    const PetscReal z2 = z * z;
    *B  = 1 - 0.5 * z + z2 / 12 - z2 * z2 / 720;
    *dB = -0.5 + z / 6 - z2 * z / 180;
  } else {
    const PetscReal r = 1 / one_minus_w, a = PetscAbsReal(z);
    if (z > 0) {
      *B  = a * w * r;
      *dB = w * (one_minus_w - a) * r * r;
    } else {
      *B  = a * r;
      *dB = (a * w - one_minus_w) * r * r;
    }
  }
}

void VfpaBernoulli(PetscReal z, PetscReal *B, PetscReal *dB)
{
  BernoulliFromW(z, PetscExpReal(-PetscAbsReal(z)), -expm1(-PetscAbsReal(z)), B, dB);
}

PetscErrorCode VfpaFokkerPlanckCreate(MPI_Comm comm, VfpaFokkerPlanck *fp)
{
  PetscFunctionBeginUser;
  PetscCall(PetscNew(fp));
  (*fp)->comm       = comm;
  (*fp)->sigma      = 1;
  (*fp)->drift_rule = VFPA_DRIFT_MOMENTUM;
  (*fp)->series     = PETSC_TRUE;
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
  PetscCall(PetscOptionsBool("-fp_drift_series", "momentum drift: take its Newton sums from velocity moments summed in the moments pass, where up to 10 of them reach round-off (fine velocity grids), instead of a pass over f per Newton step; the results differ by round-off", "VfpaFokkerPlanck", fp->series, &fp->series, NULL));
  PetscOptionsEnd();
  PetscCall(VfpaCheckReal(fp->comm, "-sigma", fp->sigma, 0, PETSC_MAX_REAL, PETSC_TRUE, PETSC_FALSE));
  PetscCall(VfpaChoiceFind(fp->comm, VfpaDriftRules, "-fp_drift", rule, &index));
  fp->drift_rule = (VfpaDriftRule)index;
  PetscCall(VfpaParamsAddReal(params, "sigma", fp->sigma));
  PetscCall(VfpaParamsAddString(params, "fp_drift", VfpaDriftRules[fp->drift_rule]));
  PetscFunctionReturn(0);
}

/* The x profiles that the face pass streams together (c, kappa, R, R', e^{-a c}, F0 below and
   above, the weights) as the rows of one block, VFPA_PROFILE_STRIDE(xm) reals apart (vfpa_grid.h).
   Measured (VfpaFokkerPlanck in -log_view, 20 explicit steps of input/relax1d.opts at 1024 x 1024,
   one rank): 0.81-1.15 s with the profiles xm apart, 0.48-0.62 s in this layout, against
   0.39-0.52 s at 1040 x 1024 either way. The results are bitwise the same. */
static PetscErrorCode AllocateProfiles(VfpaFokkerPlanck fp)
{
  PetscReal **rows[] = {&fp->c, &fp->kappa, &fp->sums, NULL, &fp->ecol, &fp->below, &fp->above, &fp->ws};
  PetscInt    nrows  = (PetscInt)PETSC_STATIC_ARRAY_LENGTH(rows);

  PetscFunctionBeginUser;
  fp->ld = VFPA_PROFILE_STRIDE(fp->grid->xm);
  PetscCall(PetscCalloc1(nrows * fp->ld, &fp->profiles));
  for (PetscInt k = 0; k < nrows; k++)
    if (rows[k]) *rows[k] = fp->profiles + k * fp->ld; /* the row after sums is R' (fp->sums + ld) */
  PetscFunctionReturn(0);
}

/* The Bernoulli numbers B_0 .. B_24 (B_1 = -1/2): z / (e^z - 1) = sum_k B_k z^k / k!. */
static const PetscReal Bernoulli[] = {1, -0.5, 1.0 / 6, 0, -1.0 / 30, 0, 1.0 / 42, 0, -1.0 / 30, 0, 5.0 / 66, 0, -691.0 / 2730, 0, 7.0 / 6, 0, -3617.0 / 510, 0, 43867.0 / 798, 0, -174611.0 / 330, 0, 854513.0 / 138, 0, -236364091.0 / 2730};

/* B^(n)(h) = sum_{k >= n} B_k h^(k-n) / (k-n)!, truncated after B_24. Where the expansion is taken,
   h = a^2 sigma / 2 <= sigma / (8 vmax^2) (DRIFT_MAX_W) is small: for the degrees kept (n <= 9) the
   first term left out is below 1e-20 of the sum even at h = 1/8, and for the degrees that only
   bound the tail the sum need not be exact. */
static PetscReal BernoulliDerivative(PetscInt n, PetscReal h)
{
  PetscReal sum = 0, term = 1; /* h^(k-n) / (k-n)! */

  for (PetscInt k = n; k < (PetscInt)PETSC_STATIC_ARRAY_LENGTH(Bernoulli); k++) {
    sum += Bernoulli[k] * term;
    term *= h / (k - n + 1);
  }
  return sum;
}

/* The moment expansion of R(c) (see the header): g_n = -2 B^(n)(h) / n!, n odd, the Taylor
   coefficients of g(w) = B(h - w) - B(h + w); its degree D, the smallest odd one (at least 3) whose
   neglected terms, sum_{odd n > D} |g_n| (2 a vmax)^n, stay below DRIFT_TERM_TOL; the weights
   v_j^p, p = 2 .. D, of the sums the moments pass takes for it (padded with zero weights to a
   multiple of 4, as the moments take 4 sums per sweep); and fp->gcoef[n] = sigma g_n a^n. None
   (nsums = 0) for -fp_drift average, with -fp_drift_series false, without the tables, or where the
   bounds of DRIFT_MAX_W and VFPA_MOMENTS_MAX_WEIGHTS do not hold. */
static PetscErrorCode SetUpDriftExpansion(VfpaFokkerPlanck fp, VfpaMoments m)
{
  VfpaGrid        g = fp->grid;
  const PetscReal h = 0.5 * fp->a * g->dv, w = 2 * fp->a * g->vmax;
  PetscReal       gn[DRIFT_TAIL_DEGREE + 1] = {0}, tail = 0, factorial = 1;
  PetscInt        D = DRIFT_TAIL_DEGREE, K;

  PetscFunctionBeginUser;
  fp->nsums = 0;
  if (fp->drift_rule != VFPA_DRIFT_MOMENTUM || !fp->series || !fp->efield || w > DRIFT_MAX_W) PetscFunctionReturn(0);
  for (PetscInt n = 1; n <= DRIFT_TAIL_DEGREE; n++) {
    factorial *= n;
    if (n % 2) gn[n] = -2 * BernoulliDerivative(n, h) / factorial;
  }
  for (PetscInt n = DRIFT_TAIL_DEGREE; n > 3; n -= 2) {
    tail += PetscAbsReal(gn[n]) * PetscPowRealInt(w, n);
    if (tail > DRIFT_TERM_TOL) break;
    D = n - 2;
  }
  K = (D - 1 + 3) / 4 * 4;
  if (K > VFPA_MOMENTS_MAX_WEIGHTS) PetscFunctionReturn(0);
  fp->degree = D;
  fp->nsums  = K;
  for (PetscInt n = 0; n <= D; n++) fp->gcoef[n] = fp->sigma * gn[n] * PetscPowRealInt(fp->a, n);
  PetscCall(PetscMalloc1(g->vm * K, &fp->weights));
  for (PetscInt r = 0; r < g->vm; r++)
    for (PetscInt k = 0; k < K; k++) fp->weights[r * K + k] = k + 2 <= D ? PetscPowRealInt(g->v[g->vs + r], k + 2) : 0;
  PetscCall(VfpaMomentsSetWeights(m, K, fp->weights));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaFokkerPlanckSetUp(VfpaFokkerPlanck fp, VfpaGrid grid, VfpaMoments m)
{
  PetscInt xm = grid->xm;

  PetscFunctionBeginUser;
  fp->grid   = grid;
  fp->a      = grid->dv / fp->sigma;
  PetscCall(AllocateProfiles(fp));
  PetscCall(PetscMalloc1((grid->vm + 1) * xm, &fp->F1));
  PetscCall(PetscMalloc3(2 * xm, &fp->coef_below, 2 * xm, &fp->coef_above, 3 * xm, &fp->bands));
  /* e^{a v_{j+1/2}} e^{-a c} = e^z for the local faces, unless the factors could overflow */
  if (fp->a * grid->vmax < 300) {
    PetscCall(PetscMalloc1(grid->nv - 1, &fp->efield));
    for (PetscInt j = 0; j < grid->nv - 1; j++) fp->efield[j] = PetscExpReal(fp->a * grid->vface[j]);
  }
  PetscCall(SetUpDriftExpansion(fp, m));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaFokkerPlanckView(VfpaFokkerPlanck fp, PetscViewer viewer)
{
  PetscFunctionBeginUser;
  PetscCall(PetscViewerASCIIPrintf(viewer, "Fokker-Planck: sigma %g, Scharfetter-Gummel flux, drift rule %s\n", (double)fp->sigma, VfpaDriftRules[fp->drift_rule]));
  if (fp->nsums) PetscCall(PetscViewerASCIIPrintf(viewer, "  drift's Newton sums from the velocity moments up to degree %" PetscInt_FMT ", taken in the moments pass\n", fp->degree));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaFokkerPlanckDestroy(VfpaFokkerPlanck *fp)
{
  PetscFunctionBeginUser;
  if (!*fp) PetscFunctionReturn(0);
  PetscCall(PetscFree((*fp)->profiles));
  PetscCall(PetscFree((*fp)->F1));
  PetscCall(PetscFree3((*fp)->coef_below, (*fp)->coef_above, (*fp)->bands));
  PetscCall(PetscFree((*fp)->efield));
  PetscCall(PetscFree((*fp)->weights));
  PetscCall(PetscFree(*fp));
  PetscFunctionReturn(0);
}

/* B(z) and B'(z) from z and E = e^z: B = z r and B' = r - z E r^2 with r = 1 / (E - 1), one division
   and no branch. With series, the Taylor series, for |z| < SERIES_BELOW where E - 1 loses digits or
   vanishes, is chosen by a select (the denominator then stays finite even at z = 0), so loops over x
   vectorise; without, the caller knows that no z of its loop is that small (FaceNeedsSeries) and
   the series, a third of the arithmetic, is skipped: the results are the same. The flag is a
   constant once inlined. */
static inline void BernoulliFromExp(PetscBool series, PetscReal z, PetscReal E, PetscReal *B, PetscReal *dB)
{
  if (series) {
    const PetscBool small = PetscAbsReal(z) < SERIES_BELOW;
    const PetscReal z2 = z * z, r = 1 / (E - 1 + (small ? 1.0 : 0.0));
    const PetscReal Bseries = 1 - 0.5 * z + z2 * (1.0 / 12) - z2 * z2 * (1.0 / 720), dBseries = -0.5 + z * (1.0 / 6) - z2 * z * (1.0 / 180);
    *B  = small ? Bseries : z * r;
    *dB = small ? dBseries : r - z * E * r * r;
  } else {
    const PetscReal r = 1 / (E - 1);
    *B  = z * r;
    *dB = r - z * E * r * r;
  }
}

/* Whether some owned x cell may have |z| = a |v_{j+1/2} - c| < SERIES_BELOW on face j: not when
   the face lies at least that far above or below every drift (cmin, cmax: SetDriftTables). The
   rounded z = a (v - c) is monotone in c (a > 0), so the test is exact: where it says no, the
   select of BernoulliFromExp would take the division in every cell. */
static inline PetscBool FaceNeedsSeries(const VfpaFokkerPlanck fp, PetscInt j)
{
  const PetscReal v = fp->grid->vface[j];
  return (PetscBool)!(fp->a * (v - fp->cmax) >= SERIES_BELOW || fp->a * (v - fp->cmin) <= -SERIES_BELOW);
}

/* e^{-a c} and the range cmin .. cmax of the drifts c of the owned x cells. */
static void SetDriftTables(VfpaFokkerPlanck fp)
{
  fp->cmin = PETSC_MAX_REAL;
  fp->cmax = PETSC_MIN_REAL;
  for (PetscInt b = 0; b < fp->grid->xm; b++) {
    fp->ecol[b] = PetscExpReal(-fp->a * fp->c[b]);
    fp->cmin    = PetscMin(fp->cmin, fp->c[b]);
    fp->cmax    = PetscMax(fp->cmax, fp->c[b]);
  }
}

/* F0 = B(-z) hi - B(z) lo and F1 = (B'(z) + 1) hi - B'(z) lo of one face (B(-z) = B(z) + z). */
static inline void FaceTerms(PetscReal z, PetscReal B, PetscReal dB, PetscReal lo, PetscReal hi, PetscReal *F0, PetscReal *F1)
{
  *F0 = (B + z) * hi - B * lo;
  *F1 = (dB + 1) * hi - dB * lo;
}

/* Face j for every owned x cell, in one loop: F0 = B(-z) hi - B(z) lo into above and
   F1 = (B'(z) + 1) hi - B'(z) lo into F1 (lo = f_j, hi = f_{j+1}, z = a (v_{j+1/2} - c)), so that
   J / dv = s sigma / dv^2 (F0 - kappa F1) is the flux at the drift c corrected to first order in the
   Newton step kappa (see the header); with sums, R += sigma F0 and R' -= dv F1; with update,
   row += ws (F0 - below), ws = sign s sigma / dv^2. With the tables, e^z = e^{a v} e^{-a c}
   (vectorised; with series unless FaceNeedsSeries says none is needed); without them
   (a vmax >= 300, where e^z could overflow), VfpaBernoulli cell by cell. The flags are constants
   once inlined (see FaceRow): each variant is one loop. */
static inline void FaceRowWith(PetscBool tables, PetscBool series, PetscBool sums, PetscBool update, const VfpaFokkerPlanck fp, PetscInt j, const PetscScalar *restrict lo, const PetscScalar *restrict hi, const PetscReal *restrict below, PetscReal *restrict above, PetscReal *restrict F1, PetscScalar *restrict row)
{
  const PetscInt            xm = fp->grid->xm;
  const PetscReal           a = fp->a, v = fp->grid->vface[j], ev = tables ? fp->efield[j] : 0, sigma = fp->sigma, dv = fp->grid->dv;
  const PetscReal *restrict c = fp->c, *restrict ecol = fp->ecol, *restrict ws = fp->ws;
  PetscReal *restrict       R = fp->sums, *restrict dR = fp->sums + fp->ld;

  for (PetscInt b = 0; b < xm; b++) {
    const PetscReal z = a * (v - c[b]);
    PetscReal       B, dB, F0, G;
    if (tables) BernoulliFromExp(series, z, ev * ecol[b], &B, &dB);
    else VfpaBernoulli(z, &B, &dB);
    FaceTerms(z, B, dB, lo[b], hi[b], &F0, &G);
    above[b] = F0;
    F1[b]    = G;
    if (sums) {
      R[b] += sigma * F0;
      dR[b] -= dv * G;
    }
    if (update) row[b] += ws[b] * (F0 - below[b]);
  }
}

/* FaceRowWith (tables, series, sums, update) on the faces j and j+1 in one loop, with the rows j and j+1
   owned and both faces interior: c, e^{-a c}, the weights, the Newton sums and F0 of the face
   below are loaded and stored once for both faces, which halves the traffic of these x profiles
   (the loop streams from cache; the operations, and so the results, are those of two FaceRowWith
   calls). F0 of face j+1 is left in below. Memory: f read once (f_{j+1} twice, from cache),
   F1 written once, both rows read and written once. */
static inline void FacePairRowWith(PetscBool series, const VfpaFokkerPlanck fp, PetscInt j, const PetscScalar *restrict f0, const PetscScalar *restrict f1, const PetscScalar *restrict f2, PetscReal *restrict below, PetscReal *restrict F1a, PetscReal *restrict F1b, PetscScalar *restrict rowa, PetscScalar *restrict rowb)
{
  const PetscInt            xm = fp->grid->xm;
  const PetscReal           a = fp->a, va = fp->grid->vface[j], vb = fp->grid->vface[j + 1], eva = fp->efield[j], evb = fp->efield[j + 1], sigma = fp->sigma, dv = fp->grid->dv;
  const PetscReal *restrict c = fp->c, *restrict ecol = fp->ecol, *restrict ws = fp->ws;
  PetscReal *restrict       R = fp->sums, *restrict dR = fp->sums + fp->ld;

  for (PetscInt b = 0; b < xm; b++) {
    const PetscReal za = a * (va - c[b]), zb = a * (vb - c[b]);
    PetscReal       Ba, dBa, Bb, dBb, F0a, Ga, F0b, Gb;
    BernoulliFromExp(series, za, eva * ecol[b], &Ba, &dBa);
    BernoulliFromExp(series, zb, evb * ecol[b], &Bb, &dBb);
    FaceTerms(za, Ba, dBa, f0[b], f1[b], &F0a, &Ga);
    FaceTerms(zb, Bb, dBb, f1[b], f2[b], &F0b, &Gb);
    F1a[b] = Ga;
    F1b[b] = Gb;
    R[b]   = R[b] + sigma * F0a + sigma * F0b;
    dR[b]  = dR[b] - dv * Ga - dv * Gb;
    rowa[b] += ws[b] * (F0a - below[b]);
    rowb[b] += ws[b] * (F0b - F0a);
    below[b] = F0b;
  }
}

/* FacePairRowWith, with the series only where one of the two faces may need it. */
static void FacePairRow(const VfpaFokkerPlanck fp, PetscInt j, const PetscScalar *f0, const PetscScalar *f1, const PetscScalar *f2, PetscReal *below, PetscReal *F1a, PetscReal *F1b, PetscScalar *rowa, PetscScalar *rowb)
{
  if (FaceNeedsSeries(fp, j) || FaceNeedsSeries(fp, j + 1)) FacePairRowWith(PETSC_TRUE, fp, j, f0, f1, f2, below, F1a, F1b, rowa, rowb);
  else FacePairRowWith(PETSC_FALSE, fp, j, f0, f1, f2, below, F1a, F1b, rowa, rowb);
}

/* The flux P hi - Q lo of one face at the drift, corrected to first order in kappa (FaceCoefficientPair),
   written (B - kappa B') (hi - lo) + (z - kappa) hi: one operation fewer than forming P and Q. Through
   FaceCoefficientPair the Fokker-Planck event at 4096 x 2048 took 0.68-0.81 against 0.63-0.73 ns per
   cell (bench rhs, 8 interleaved runs each). */
static inline PetscReal CorrectedFlux(PetscBool series, PetscReal z, PetscReal E, PetscReal kappa, PetscReal lo, PetscReal hi)
{
  PetscReal B, dB;

  BernoulliFromExp(series, z, E, &B, &dB);
  return (B - kappa * dB) * (hi - lo) + (z - kappa) * hi;
}

/* CorrectedFlux of face j for every owned x cell into above, and with update row += ws (above - below):
   FaceRowWith with the drift and kappa known (tables only, no sums, no F1). */
static inline void CorrectedRowWith(PetscBool series, PetscBool update, const VfpaFokkerPlanck fp, PetscInt j, const PetscScalar *restrict lo, const PetscScalar *restrict hi, const PetscReal *restrict below, PetscReal *restrict above, PetscScalar *restrict row)
{
  const PetscInt            xm = fp->grid->xm;
  const PetscReal           a = fp->a, v = fp->grid->vface[j], ev = fp->efield[j];
  const PetscReal *restrict c = fp->c, *restrict ecol = fp->ecol, *restrict kappa = fp->kappa, *restrict ws = fp->ws;

  for (PetscInt b = 0; b < xm; b++) {
    const PetscReal J = CorrectedFlux(series, a * (v - c[b]), ev * ecol[b], kappa[b], lo[b], hi[b]);
    above[b]          = J;
    if (update) row[b] += ws[b] * (J - below[b]);
  }
}

/* CorrectedRowWith on the faces j and j+1 in one loop, as FacePairRowWith (the flux of face j+1 left
   in below). Memory: f read once, both rows read and written once. */
static inline void CorrectedPairRowWith(PetscBool series, const VfpaFokkerPlanck fp, PetscInt j, const PetscScalar *restrict f0, const PetscScalar *restrict f1, const PetscScalar *restrict f2, PetscReal *restrict below, PetscScalar *restrict rowa, PetscScalar *restrict rowb)
{
  const PetscInt            xm = fp->grid->xm;
  const PetscReal           a = fp->a, va = fp->grid->vface[j], vb = fp->grid->vface[j + 1], eva = fp->efield[j], evb = fp->efield[j + 1];
  const PetscReal *restrict c = fp->c, *restrict ecol = fp->ecol, *restrict kappa = fp->kappa, *restrict ws = fp->ws;

  for (PetscInt b = 0; b < xm; b++) {
    const PetscReal Ja = CorrectedFlux(series, a * (va - c[b]), eva * ecol[b], kappa[b], f0[b], f1[b]);
    const PetscReal Jb = CorrectedFlux(series, a * (vb - c[b]), evb * ecol[b], kappa[b], f1[b], f2[b]);
    rowa[b] += ws[b] * (Ja - below[b]);
    rowb[b] += ws[b] * (Jb - Ja);
    below[b] = Jb;
  }
}

/* FacePairRow's choice of series, for the corrected fluxes. */
static void CorrectedPairRow(const VfpaFokkerPlanck fp, PetscInt j, const PetscScalar *f0, const PetscScalar *f1, const PetscScalar *f2, PetscReal *below, PetscScalar *rowa, PetscScalar *rowb)
{
  if (FaceNeedsSeries(fp, j) || FaceNeedsSeries(fp, j + 1)) CorrectedPairRowWith(PETSC_TRUE, fp, j, f0, f1, f2, below, rowa, rowb);
  else CorrectedPairRowWith(PETSC_FALSE, fp, j, f0, f1, f2, below, rowa, rowb);
}

/* CorrectedRowWith with the series only where the face may need it; row NULL: no update. */
static void CorrectedRow(const VfpaFokkerPlanck fp, PetscInt j, const PetscScalar *lo, const PetscScalar *hi, const PetscReal *below, PetscReal *above, PetscScalar *row)
{
  const PetscBool series = FaceNeedsSeries(fp, j);

  if (row && series) CorrectedRowWith(PETSC_TRUE, PETSC_TRUE, fp, j, lo, hi, below, above, row);
  else if (row) CorrectedRowWith(PETSC_FALSE, PETSC_TRUE, fp, j, lo, hi, below, above, row);
  else if (series) CorrectedRowWith(PETSC_TRUE, PETSC_FALSE, fp, j, lo, hi, below, above, row);
  else CorrectedRowWith(PETSC_FALSE, PETSC_FALSE, fp, j, lo, hi, below, above, row);
}

/* FaceRowWith for given tables and series; row (NULL: no update) implies sums. */
static inline void FaceRowFor(PetscBool tables, PetscBool series, const VfpaFokkerPlanck fp, PetscInt j, const PetscScalar *lo, const PetscScalar *hi, const PetscReal *below, PetscReal *above, PetscReal *F1, PetscBool sums, PetscScalar *row)
{
  if (row) FaceRowWith(tables, series, PETSC_TRUE, PETSC_TRUE, fp, j, lo, hi, below, above, F1, row);
  else if (sums) FaceRowWith(tables, series, PETSC_TRUE, PETSC_FALSE, fp, j, lo, hi, below, above, F1, row);
  else FaceRowWith(tables, series, PETSC_FALSE, PETSC_FALSE, fp, j, lo, hi, below, above, F1, row);
}

/* FaceRowWith for an interior face, with the tables when they exist and the series only where the
   face may need it. */
static void FaceRow(const VfpaFokkerPlanck fp, PetscInt j, const PetscScalar *lo, const PetscScalar *hi, const PetscReal *below, PetscReal *above, PetscReal *F1, PetscBool sums, PetscScalar *row)
{
  if (!fp->efield) FaceRowFor(PETSC_FALSE, PETSC_TRUE, fp, j, lo, hi, below, above, F1, sums, row);
  else if (FaceNeedsSeries(fp, j)) FaceRowFor(PETSC_TRUE, PETSC_TRUE, fp, j, lo, hi, below, above, F1, sums, row);
  else FaceRowFor(PETSC_TRUE, PETSC_FALSE, fp, j, lo, hi, below, above, F1, sums, row);
}

/* set_rows on the rows j0 .. j1-1, timed under its own event rather than the Fokker-Planck one
   (open during VfpaFokkerPlanckApply), so that -log_view keeps the phases apart. */
static PetscErrorCode SetRows(VfpaRowsSetter set_rows, void *ctx, const PetscScalar *const *f, PetscInt j0, PetscInt j1, PetscScalar **rhs)
{
  PetscFunctionBeginUser;
  PetscCall(PetscLogEventEnd(VFPA_FokkerPlanck, 0, 0, 0, 0));
  PetscCall(set_rows(ctx, f, j0, j1, rhs));
  PetscCall(PetscLogEventBegin(VFPA_FokkerPlanck, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* Asks the cache to fetch the owned cells of the f rows j0 .. j1-1 ahead of their use: the face pass
   asks for the rows that the next block of rows will read first from memory while it computes the
   fluxes of this block from the cache, so that memory and arithmetic overlap. Measured (bench rhs at
   4096 x 2048, 3 interleaved runs each): 1.84-1.93e-2 s per evaluation against 2.15-2.30e-2 s without;
   asking for the right-hand side rows too, or two blocks ahead, was no faster. Into every level of
   the cache (T0): with the rows on cache lines, the three kernels' events took 1.53-1.77 against
   1.62-2.10 ns per cell with T2 (L2 on this core), 12 interleaved pairs in three series. */
static void PrefetchRows(const PetscScalar *const *f, PetscInt j0, PetscInt j1, PetscInt xs, PetscInt xm)
{
  for (PetscInt j = j0; j < j1; j++) PetscPrefetchBlock(f[j] + xs, xm, 0, PETSC_PREFETCH_HINT_T0);
}

/* Rows per block of set_rows: about 32 KiB of the right-hand side, so that a block is still in cache
   when its fluxes are added; an even number of rows, so that no pair of faces (FacePairRow) straddles
   two blocks. */
#define SET_ROWS_BLOCK_CELLS 4096

/* One pass over the faces vs-1/2 .. vs+vm-1/2 at the drift c: the Newton sums R += sigma F0 and
   R' -= dv F1 over the faces above the owned cells (each face counted once in the column), F1 of
   every face into fp->F1, and with rhs, sign s sigma / dv^2 (F0_{j+1/2} - F0_{j-1/2}) added to every
   owned row, after set_rows (unless NULL) has set a block of rows. corrected (with rhs and the
   tables): the fluxes corrected to first order in kappa instead of F0 (CorrectedRow), and no sums,
   no F1. The walls j = -1/2 and j = nv-1/2 carry no flux. With rhs and the tables, two faces at a
   time where they allow it (FacePairRow). Memory: f read once, F1 written once (not when
   corrected), rhs read and written once (written once with set_rows). */
static PetscErrorCode FacePass(const VfpaFokkerPlanck fp, const PetscScalar *const *f, const PetscReal *s, VfpaRowsSetter set_rows, void *ctx, PetscScalar **rhs, PetscReal sign, PetscBool corrected)
{
  VfpaGrid            g = fp->grid;
  const PetscInt      xs = g->xs, xm = g->xm, block = 2 * PetscMax(1, SET_ROWS_BLOCK_CELLS / (2 * xm));
  const PetscReal     weight = sign * fp->sigma / (g->dv * g->dv);
  PetscReal *restrict below = fp->below, *restrict above = fp->above, *restrict ws = fp->ws;

  PetscFunctionBeginUser;
  if (!corrected) PetscCall(PetscArrayzero(fp->sums, fp->ld + xm));
  PetscCall(PetscArrayzero(below, xm));
  if (rhs)
    for (PetscInt b = 0; b < xm; b++) ws[b] = weight * s[xs + b];
  for (PetscInt j = g->vs - 1; j < g->vs + g->vm; j++) {
    PetscReal *restrict   F1  = fp->F1 + (j - g->vs + 1) * xm, *swap;
    PetscScalar *restrict row = j >= g->vs && rhs ? rhs[j] + xs : NULL;
    if (row && set_rows && (j - g->vs) % block == 0) {
      PetscCall(SetRows(set_rows, ctx, f, j, PetscMin(j + block, g->vs + g->vm), rhs));
      PrefetchRows(f, j + block + 1, PetscMin(j + 2 * block + 1, g->vs + g->vm), xs, xm);
    }
    if (row && fp->efield && j + 1 < PetscMin(g->vs + g->vm, g->nv - 1) && (!set_rows || (j + 1 - g->vs) % block)) {
      if (corrected) CorrectedPairRow(fp, j, f[j] + xs, f[j + 1] + xs, f[j + 2] + xs, below, row, rhs[j + 1] + xs);
      else FacePairRow(fp, j, f[j] + xs, f[j + 1] + xs, f[j + 2] + xs, below, F1, F1 + xm, row, rhs[j + 1] + xs);
      j++;
      continue;
    }
    if (j < 0 || j >= g->nv - 1) {
      PetscCall(PetscArrayzero(above, xm));
      if (!corrected) PetscCall(PetscArrayzero(F1, xm));
      if (row)
        for (PetscInt b = 0; b < xm; b++) row[b] += ws[b] * (above[b] - below[b]);
    } else if (corrected) CorrectedRow(fp, j, f[j] + xs, f[j + 1] + xs, below, above, row);
    else FaceRow(fp, j, f[j] + xs, f[j + 1] + xs, below, above, F1, (PetscBool)(j >= g->vs), row);
    swap  = below;
    below = above;
    above = swap;
  }
  PetscFunctionReturn(0);
}

/* rhs_j -= s sigma / dv^2 kappa (F1_{j+1/2} - F1_{j-1/2}) on the owned rows: the first-order drift
   correction of the fluxes (the weight s sigma / dv^2 kappa per x cell into fp->ws first). Memory:
   F1 read once, rhs read and written once. */
static void AddDriftCorrection(const VfpaFokkerPlanck fp, const PetscReal *s, PetscScalar **rhs)
{
  VfpaGrid                  g = fp->grid;
  const PetscInt            xs = g->xs, xm = g->xm;
  const PetscReal           scale = fp->sigma / (g->dv * g->dv);
  PetscReal *restrict       wk = fp->ws;

  for (PetscInt b = 0; b < xm; b++) wk[b] = scale * s[xs + b] * fp->kappa[b];
  for (PetscInt j = g->vs; j < g->vs + g->vm; j++) {
    const PetscReal *restrict up = fp->F1 + (j - g->vs + 1) * xm, *restrict down = up - xm;
    PetscScalar *restrict     row = rhs[j] + xs;
    for (PetscInt b = 0; b < xm; b++) row[b] -= wk[b] * (up[b] - down[b]);
  }
}

/* kappa = Delta dv / sigma of x cell i from R and R' at its drift: the Newton step
   Delta = -(R + rho [u] - rho u) / R' on R(c) (see the header), none where R' >= 0. */
static inline PetscReal NewtonKappa(const VfpaFokkerPlanck fp, const VfpaMoments m, const PetscReal *avg_u, PetscInt i, PetscReal R, PetscReal dR)
{
  return dR < 0 ? -(R + m->rho[i] * avg_u[i] - m->rhou[i]) / dR * fp->a : 0;
}

/* The drift c and the first-order correction kappa = Delta dv / sigma of every owned x cell (see the
   header), and with rhs the fluxes at them added to it: Newton steps on
   R(c) = sigma sum [B(-z) f_{j+1} - B(z) f_j] + rho [u] - rho u from c = [u], the sums taken over the
   owned faces and then over the ranks sharing the x slab. Each step is one FacePass; the fluxes it
   added are taken back when another step follows (only on an unresolved velocity grid); set_rows
   (unless NULL) sets the rows in the first. */
static PetscErrorCode DriftAndFluxes(VfpaFokkerPlanck fp, const PetscScalar *const *f, VfpaMoments m, const PetscReal *s, const PetscReal *avg_u, VfpaRowsSetter set_rows, void *ctx, PetscScalar **rhs)
{
  VfpaGrid                  g  = fp->grid;
  const PetscInt            xs = g->xs, xm = g->xm;
  const PetscReal *restrict R = fp->sums, *restrict dR = fp->sums + fp->ld;
  PetscInt                  it;

  PetscFunctionBeginUser;
  for (PetscInt b = 0; b < xm; b++) {
    fp->c[b]     = avg_u[xs + b];
    fp->kappa[b] = 0;
  }
  for (it = 0; it < DRIFT_NEWTON_MAX; it++) {
    PetscReal worst = 0;
    SetDriftTables(fp);
    PetscCall(FacePass(fp, f, s, it == 0 ? set_rows : NULL, ctx, rhs, 1, PETSC_FALSE));
    if (fp->drift_rule == VFPA_DRIFT_AVERAGE) break;
    PetscCall(VfpaGridSumOverColumn(g, fp->ld + xm, fp->sums)); /* R, the padding, R' */
    for (PetscInt b = 0; b < xm; b++) {
      fp->kappa[b] = NewtonKappa(fp, m, avg_u, xs + b, R[b], dR[b]);
      worst        = PetscMax(worst, PetscAbsReal(fp->kappa[b]));
    }
    if (worst <= DRIFT_NEWTON_TOL) break;
    if (rhs) PetscCall(FacePass(fp, f, s, NULL, NULL, rhs, -1, PETSC_FALSE));
    for (PetscInt b = 0; b < xm; b++) fp->c[b] += fp->kappa[b] / fp->a;
  }
  PetscCheck(it < DRIFT_NEWTON_MAX, PETSC_COMM_SELF, PETSC_ERR_NOT_CONVERGED, "the Fokker-Planck drift did not converge: refine -nv so that dv^2 resolves sigma = %g", (double)fp->sigma);
  if (rhs && fp->drift_rule == VFPA_DRIFT_MOMENTUM) AddDriftCorrection(fp, s, rhs);
  fp->F1_current = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* R(c) and R'(c) = dR/dc of owned x cell b from its moments (see the header):
   R = sum_{odd n <= D} gcoef_n mu_n(c) - sigma B(-z_{-1/2}) f_0 + sigma B(z_{nv-1/2}) f_{nv-1} and
   R' = -sum n gcoef_n mu_{n-1}(c) - sigma a [B'(-z_{-1/2}) f_0 + B'(z_{nv-1/2}) f_{nv-1}] (the walls carry
   no flux), with the sums about c, mu_n(c) = sum_j (v_j - c)^n f_j = sum_p binom(n, p) (-c)^(n-p) m_p,
   from the raw ones m_0 = rho / dv, m_1 = rho u / dv and m_p, p >= 2, of the moments pass. */
static void ExpansionSums(const VfpaFokkerPlanck fp, const VfpaMoments m, PetscInt b, PetscReal c, PetscReal *R, PetscReal *dR)
{
  VfpaGrid        g = fp->grid;
  const PetscInt  D = fp->degree, i = g->xs + b;
  const PetscReal a = fp->a, sigma = fp->sigma;
  PetscReal       raw[DRIFT_MAX_DEGREE + 1], mu[DRIFT_MAX_DEGREE + 1], B0, dB0, B1, dB1;

  raw[0] = m->rho[i] / g->dv;
  raw[1] = m->rhou[i] / g->dv;
  for (PetscInt p = 2; p <= D; p++) raw[p] = m->wsums[(p - 2) * m->wld + b];
  for (PetscInt n = 0; n <= D; n++) {
    PetscReal binomial = 1, power = 1; /* binom(n, p) and (-c)^(n-p), p from n down */
    mu[n] = 0;
    for (PetscInt p = n; p >= 0; p--) {
      mu[n] += binomial * power * raw[p];
      binomial = binomial * p / (n - p + 1);
      power *= -c;
    }
  }
  *R = *dR = 0;
  for (PetscInt n = 1; n <= D; n += 2) {
    *R += fp->gcoef[n] * mu[n];
    *dR -= n * fp->gcoef[n] * mu[n - 1];
  }
  VfpaBernoulli(a * (c - g->v[0] + 0.5 * g->dv), &B0, &dB0);
  VfpaBernoulli(a * (g->v[g->nv - 1] + 0.5 * g->dv - c), &B1, &dB1);
  *R += sigma * (B1 * m->edges[m->wld + b] - B0 * m->edges[b]);
  *dR -= sigma * a * (dB0 * m->edges[b] + dB1 * m->edges[m->wld + b]);
}

/* The drift c = [u] and kappa of every owned x cell as DriftAndFluxes takes them when no Newton step
   is needed, R and R' from the moment expansion (see the header) instead of a pass over f; *done
   false (nothing usable set) when some drift lies outside [-vmax, vmax], where the expansion's bound
   does not hold, or needs a Newton step (|kappa| > DRIFT_NEWTON_TOL). */
static void DriftFromMoments(VfpaFokkerPlanck fp, VfpaMoments m, const PetscReal *avg_u, PetscBool *done)
{
  VfpaGrid       g  = fp->grid;
  const PetscInt xs = g->xs, xm = g->xm;
  PetscReal      worst = 0;

  *done = PETSC_FALSE;
  for (PetscInt b = 0; b < xm; b++) {
    PetscReal R, dR;
    fp->c[b] = avg_u[xs + b];
    if (PetscAbsReal(fp->c[b]) > g->vmax) return;
    ExpansionSums(fp, m, b, fp->c[b], &R, &dR);
    fp->kappa[b] = NewtonKappa(fp, m, avg_u, xs + b, R, dR);
    worst        = PetscMax(worst, PetscAbsReal(fp->kappa[b]));
  }
  *done = (PetscBool)(worst <= DRIFT_NEWTON_TOL);
}

/* With the tables, the drift and kappa known before the fluxes (-fp_drift average: c = [u] and
   kappa = 0; momentum: DriftFromMoments), and the corrected fluxes added in one pass; *done false
   (nothing added) when the drift needs passes over f. */
static PetscErrorCode FluxesAtKnownDrift(VfpaFokkerPlanck fp, const PetscScalar *const *f, VfpaMoments m, const PetscReal *s, const PetscReal *avg_u, VfpaRowsSetter set_rows, void *ctx, PetscScalar **rhs, PetscBool *done)
{
  PetscFunctionBeginUser;
  *done = PETSC_FALSE;
  if (!fp->efield) PetscFunctionReturn(0);
  if (fp->drift_rule == VFPA_DRIFT_AVERAGE) {
    for (PetscInt b = 0; b < fp->grid->xm; b++) fp->c[b] = avg_u[fp->grid->xs + b], fp->kappa[b] = 0;
    *done = PETSC_TRUE;
  } else if (fp->nsums && m->weights == fp->weights) DriftFromMoments(fp, m, avg_u, done);
  if (!*done) PetscFunctionReturn(0);
  SetDriftTables(fp);
  PetscCall(FacePass(fp, f, s, set_rows, ctx, rhs, 1, PETSC_TRUE));
  fp->F1_current = PETSC_FALSE;
  PetscFunctionReturn(0);
}

/* The drift and its correction alone (for the Jacobian). Memory: f read once, F1 written once. */
PetscErrorCode VfpaFokkerPlanckComputeDrift(VfpaFokkerPlanck fp, const PetscScalar *const *f, VfpaMoments m, const PetscReal *avg_u)
{
  PetscFunctionBeginUser;
  PetscCall(DriftAndFluxes(fp, f, m, NULL, avg_u, NULL, NULL, NULL));
  PetscFunctionReturn(0);
}

/* d[j][i] = d(d_v J)_j / dc on the owned rows: how the Fokker-Planck term of each x column changes
   with its drift, from the F1 rows of the last drift computation (dF0/dz = F1 and dz/dc = -a; the
   change of the first-order correction is neglected). */
PetscErrorCode VfpaFokkerPlanckDriftResponse(VfpaFokkerPlanck fp, const PetscReal *s, PetscScalar **d)
{
  VfpaGrid                  g  = fp->grid;
  const PetscInt            xs = g->xs, xm = g->xm;
  const PetscReal           scale = -fp->a * fp->sigma / (g->dv * g->dv);
  const PetscReal *restrict sx = s + xs;

  PetscFunctionBeginUser;
  for (PetscInt j = g->vs; j < g->vs + g->vm; j++) {
    const PetscReal *restrict up = fp->F1 + (j - g->vs + 1) * xm, *restrict down = up - xm;
    PetscScalar *restrict     row = d[j] + xs;
    for (PetscInt b = 0; b < xm; b++) row[b] = scale * sx[b] * (up[b] - down[b]);
  }
  PetscFunctionReturn(0);
}

/* The coefficients P = B(-z) - kappa (B'(z) + 1) and Q = B(z) - kappa B'(z) of a face from z, e^z (with
   the tables) and kappa: the Scharfetter-Gummel weights at the drift, corrected to first order in the
   last Newton step, so that J / dv = s sigma / dv^2 (P f_{j+1} - Q f_j). As in FaceRowWith, the flags
   are constants once inlined. */
static inline void FaceCoefficientPair(PetscBool tables, PetscBool series, PetscReal z, PetscReal E, PetscReal kappa, PetscReal *P, PetscReal *Q)
{
  PetscReal B, dB;

  if (tables) BernoulliFromExp(series, z, E, &B, &dB);
  else VfpaBernoulli(z, &B, &dB);
  *P = B + z - kappa * (dB + 1);
  *Q = B - kappa * dB;
}

/* FaceCoefficientPair of face j for every owned x cell (coef[b] = P, coef[xm + b] = Q). */
static inline void FaceCoefficientsWith(PetscBool tables, PetscBool series, const VfpaFokkerPlanck fp, PetscInt j, PetscReal *restrict coef)
{
  const PetscInt            xm = fp->grid->xm;
  const PetscReal           a = fp->a, v = fp->grid->vface[j], ev = tables ? fp->efield[j] : 0;
  const PetscReal *restrict c = fp->c, *restrict ecol = fp->ecol, *restrict kappa = fp->kappa;

  for (PetscInt b = 0; b < xm; b++) FaceCoefficientPair(tables, series, a * (v - c[b]), ev * ecol[b], kappa[b], &coef[b], &coef[xm + b]);
}

/* FaceCoefficientsWith (tables and series as FaceRow chooses them), and zero at the walls
   j = -1/2 and nv - 1/2, which carry no flux. */
static void FaceCoefficients(const VfpaFokkerPlanck fp, PetscInt j, PetscReal *coef)
{
  if (j < 0 || j >= fp->grid->nv - 1) PetscArrayzero(coef, 2 * fp->grid->xm);
  else if (!fp->efield) FaceCoefficientsWith(PETSC_FALSE, PETSC_TRUE, fp, j, coef);
  else if (FaceNeedsSeries(fp, j)) FaceCoefficientsWith(PETSC_TRUE, PETSC_TRUE, fp, j, coef);
  else FaceCoefficientsWith(PETSC_TRUE, PETSC_FALSE, fp, j, coef);
}

/* The three entries of the row of velocity j of one x cell, from the coefficients P, Q of the faces
   below and above it and w = s sigma / dv^2: lo = A_{j,j-1} = -w Q_{j-1/2},
   di = A_{j,j} = shift + w P_{j-1/2} + w Q_{j+1/2}, up = A_{j,j+1} = -w P_{j+1/2}. */
static inline void BandEntries(PetscReal w, PetscReal shift, PetscReal Pbelow, PetscReal Qbelow, PetscReal Pabove, PetscReal Qabove, PetscReal *lo, PetscReal *di, PetscReal *up)
{
  *lo = -w * Qbelow;
  *di = shift + (w * Pbelow + w * Qabove);
  *up = -w * Pabove;
}

/* BandEntries of the rows of velocity j for every owned x cell (w in fp->ws), into band[b] (lower),
   band[xm + b] (diagonal) and band[2 xm + b] (upper). */
static void RowBands(const VfpaFokkerPlanck fp, PetscReal shift, const PetscReal *restrict below, const PetscReal *restrict above, PetscReal *restrict band)
{
  const PetscInt            xm = fp->grid->xm;
  const PetscReal *restrict w  = fp->ws;

  for (PetscInt b = 0; b < xm; b++) BandEntries(w[b], shift, below[b], below[xm + b], above[b], above[xm + b], &band[b], &band[xm + b], &band[2 * xm + b]);
}

/* The bands of velocity j into its rows of A: in place in the CSR values when given (row r = (j - vs)
   xm + b holds [f_{j-1}, f_j, f_{j+1}], without the neighbours beyond the walls), otherwise by
   MatSetValuesStencil. */
static PetscErrorCode WriteRows(VfpaGrid g, PetscInt j, const PetscReal *band, const PetscInt *ia, PetscScalar *values, Mat A)
{
  const PetscInt  xs = g->xs, xm = g->xm, lower = j > 0, upper = j < g->nv - 1;
  const PetscReal *lo = band, *di = band + xm, *up = band + 2 * xm;

  PetscFunctionBeginUser;
  if (values) {
    const PetscInt *restrict start = ia + (j - g->vs) * xm;
    for (PetscInt b = 0; b < xm; b++) {
      PetscScalar *row = values + start[b];
      if (lower) *row++ = lo[b];
      *row++ = di[b];
      if (upper) *row = up[b];
    }
    PetscFunctionReturn(0);
  }
  for (PetscInt b = 0; b < xm; b++) {
    MatStencil        rowst = {.i = xs + b, .j = j}, cols[3];
    const PetscInt    n     = VfpaGridVelocityStencil(g, xs + b, j, cols);
    const PetscScalar vals[3] = {lower ? lo[b] : di[b], lower ? di[b] : up[b], up[b]}; /* in the order of cols */
    PetscCall(MatSetValuesStencil(A, 1, &rowst, n, cols, vals, INSERT_VALUES));
  }
  PetscFunctionReturn(0);
}

/* RowBands and WriteRows in one loop for the rows of an interior velocity j (0 < j < nv - 1), written
   in place into row, the CSR values of the row block (3 entries per row, one row after the other:
   DirectFillArrays' pattern), with the coefficients of face j + 1/2 computed in the same loop: coef
   holds P, Q of the face below on entry and of the face above on return. The operations are those of
   FaceCoefficients, RowBands and WriteRows. Memory: per cell, coef read and written (2 doubles, from
   cache) and the 3 matrix entries written. */
static inline void FaceBandsWith(PetscBool tables, PetscBool series, const VfpaFokkerPlanck fp, PetscInt j, PetscReal shift, PetscReal *restrict coef, PetscScalar *restrict row)
{
  const PetscInt            xm = fp->grid->xm;
  const PetscReal           a = fp->a, v = fp->grid->vface[j], ev = tables ? fp->efield[j] : 0;
  const PetscReal *restrict c = fp->c, *restrict ecol = fp->ecol, *restrict kappa = fp->kappa, *restrict w = fp->ws;

  for (PetscInt b = 0; b < xm; b++) {
    PetscReal P, Q;
    FaceCoefficientPair(tables, series, a * (v - c[b]), ev * ecol[b], kappa[b], &P, &Q);
    BandEntries(w[b], shift, coef[b], coef[xm + b], P, Q, &row[3 * b], &row[3 * b + 1], &row[3 * b + 2]);
    coef[b]      = P;
    coef[xm + b] = Q;
  }
}

/* FaceBandsWith with the tables and the series as FaceRow chooses them. */
static void FaceBands(const VfpaFokkerPlanck fp, PetscInt j, PetscReal shift, PetscReal *coef, PetscScalar *row)
{
  if (!fp->efield) FaceBandsWith(PETSC_FALSE, PETSC_TRUE, fp, j, shift, coef, row);
  else if (FaceNeedsSeries(fp, j)) FaceBandsWith(PETSC_TRUE, PETSC_TRUE, fp, j, shift, coef, row);
  else FaceBandsWith(PETSC_TRUE, PETSC_FALSE, fp, j, shift, coef, row);
}

/* rhs[j][i] += (J_{j+1/2} - J_{j-1/2}) / dv on the owned cells, with zero flux at the walls; with
   set_rows, the rows are first set by it, a block at a time (see VfpaRowsSetter).
   Memory, with the drift known before the fluxes (FluxesAtKnownDrift): f read once, rhs read and
   written once (written once with set_rows); otherwise (resolved grid) f read once, F1 written and
   read once, rhs read and written twice (with set_rows: written, then read and written). */
PetscErrorCode VfpaFokkerPlanckApply(VfpaFokkerPlanck fp, const PetscScalar *const *f, VfpaMoments m, const PetscReal *s, const PetscReal *avg_u, VfpaRowsSetter set_rows, void *ctx, PetscScalar **rhs)
{
  PetscBool done;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(VFPA_FokkerPlanck, 0, 0, 0, 0));
  PetscCall(FluxesAtKnownDrift(fp, f, m, s, avg_u, set_rows, ctx, rhs, &done));
  if (!done) PetscCall(DriftAndFluxes(fp, f, m, s, avg_u, set_rows, ctx, rhs));
  PetscCall(PetscLogEventEnd(VFPA_FokkerPlanck, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* The local rows of A as CSR arrays when they can be written in place: A is assembled (its nonzero
   pattern exists, as VfpaModelCreateJacobian makes it) and every f row has its v neighbours on this
   rank (v not split), so row r = (j - vs) xm + b holds [f_{j-1}, f_j, f_{j+1}] in this order (fewer
   at the walls). */
static PetscErrorCode DirectFillArrays(VfpaFokkerPlanck fp, Mat A, Mat *block, const PetscInt **ia, const PetscInt **ja, PetscScalar **values)
{
  VfpaGrid  g = fp->grid;
  PetscBool mpi, done, assembled;
  PetscInt  n;

  PetscFunctionBeginUser;
  *block = NULL;
  PetscCall(MatAssembled(A, &assembled));
  if (!assembled || g->column_size > 1) PetscFunctionReturn(0);
  PetscCall(PetscObjectTypeCompare((PetscObject)A, MATMPIAIJ, &mpi));
  *block = A;
  if (mpi) PetscCall(MatMPIAIJGetSeqAIJ(A, block, NULL, NULL));
  PetscCall(MatGetRowIJ(*block, 0, PETSC_FALSE, PETSC_FALSE, &n, ia, ja, &done));
  if (!done) {
    *block = NULL;
    PetscFunctionReturn(0);
  }
  PetscCall(MatSeqAIJGetArray(*block, values));
  PetscFunctionReturn(0);
}

/* shift on the diagonal of the owned strength row (s-model), its only entry: with s frozen, d_v J
   does not depend on that row. In place when values are given (local row (nv - vs) xm + b, one
   entry each), otherwise by MatSetValuesStencil. */
static PetscErrorCode WriteStrengthDiagonal(VfpaGrid g, PetscReal shift, const PetscInt *ia, PetscScalar *values, Mat A)
{
  PetscFunctionBeginUser;
  if (values) {
    const PetscInt *restrict start = ia + (g->nv - g->vs) * g->xm;
    for (PetscInt b = 0; b < g->xm; b++) values[start[b]] = shift;
    PetscFunctionReturn(0);
  }
  for (PetscInt i = g->xs; i < g->xs + g->xm; i++) {
    MatStencil  row = {.i = i, .j = g->nv};
    PetscScalar val = shift;
    PetscCall(MatSetValuesStencil(A, 1, &row, 1, &row, &val, INSERT_VALUES));
  }
  PetscFunctionReturn(0);
}

/* A = shift I - d(d_v J)/dU with s and the face coefficients of the last drift computation frozen: a
   tridiagonal block per x column, written in place once the pattern exists (see DirectFillArrays),
   and shift alone on the strength row (WriteStrengthDiagonal). Memory: F1 is not read;
   per cell, the 3 matrix entries written once in place (FaceBands; when v is split or A is not
   assembled, and on the first and last velocity rows, the bands are written and then copied into
   the matrix). */
PetscErrorCode VfpaFokkerPlanckAssemble(VfpaFokkerPlanck fp, const PetscReal *s, PetscReal shift, Mat A)
{
  VfpaGrid        g  = fp->grid;
  const PetscInt  xs = g->xs, xm = g->xm;
  PetscReal      *below = fp->coef_below, *above = fp->coef_above;
  Mat             block;
  const PetscInt *ia, *ja;
  PetscInt        n;
  PetscScalar    *values = NULL;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(VFPA_FokkerPlanck, 0, 0, 0, 0));
  PetscCall(DirectFillArrays(fp, A, &block, &ia, &ja, &values));
  for (PetscInt b = 0; b < xm; b++) fp->ws[b] = s[xs + b] * fp->sigma / (g->dv * g->dv);
  FaceCoefficients(fp, g->vs - 1, below);
  for (PetscInt j = g->vs; j < g->vs + g->vm; j++) {
    PetscReal *swap;
    if (values && j > 0 && j < g->nv - 1) {
      FaceBands(fp, j, shift, below, values + ia[(j - g->vs) * xm]);
      continue;
    }
    FaceCoefficients(fp, j, above);
    RowBands(fp, shift, below, above, fp->bands);
    PetscCall(WriteRows(g, j, fp->bands, ia, values, A));
    swap  = below;
    below = above;
    above = swap;
  }
  if (g->owns_strength) PetscCall(WriteStrengthDiagonal(g, shift, ia, values, A));
  if (values) {
    PetscBool done;
    PetscCall(MatSeqAIJRestoreArray(block, &values));
    PetscCall(MatRestoreRowIJ(block, 0, PETSC_FALSE, PETSC_FALSE, &n, &ia, &ja, &done));
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
