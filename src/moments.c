/* Velocity moments of f, reduced along v. */
#include <math.h>
#include "vfpa_moments.h"
#include "vfpa_log.h"

PetscErrorCode VfpaMomentsCreate(VfpaGrid grid, VfpaMoments *moments)
{
  VfpaMoments m;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&m));
  m->grid = grid;
  PetscCall(VfpaMomentsSetWeights(m, 0, NULL));
  PetscCall(VfpaGridProfileCreate(grid, &m->u));
  *moments = m;
  PetscFunctionReturn(0);
}

/* The sums sum_j w_{j,k} f_j, k < nweights, and with them the edge rows f_0 and f_{nv-1}, taken from
   now on with rho and rho u (weights: one row of nweights per owned velocity row; kept by the
   caller). */
PetscErrorCode VfpaMomentsSetWeights(VfpaMoments m, PetscInt nweights, const PetscReal *weights)
{
  VfpaGrid g = m->grid;

  PetscFunctionBeginUser;
  PetscCheck(nweights % 4 == 0 && nweights <= VFPA_MOMENTS_MAX_WEIGHTS, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "%" PetscInt_FMT " weighted sums: a multiple of 4 up to %d is supported", nweights, VFPA_MOMENTS_MAX_WEIGHTS);
  PetscCall(PetscFree(m->buffer));
  m->wld = VFPA_PROFILE_STRIDE(g->xm);
  m->nbuffer = 2 * g->gxm + (nweights ? (nweights + 2) * m->wld : 0);
  PetscCall(PetscCalloc1(m->nbuffer, &m->buffer));
  m->rho      = m->buffer - g->gxs;
  m->rhou     = m->buffer + g->gxm - g->gxs;
  m->wsums    = m->buffer + 2 * g->gxm;
  m->edges    = m->wsums + nweights * m->wld;
  m->nweights = nweights;
  m->weights  = weights;
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaMomentsDestroy(VfpaMoments *moments)
{
  PetscFunctionBeginUser;
  if (!*moments) PetscFunctionReturn(0);
  PetscCall(PetscFree((*moments)->buffer));
  PetscCall(VfpaGridProfileDestroy((*moments)->grid, &(*moments)->u));
  PetscCall(PetscFree(*moments));
  PetscFunctionReturn(0);
}

/* rho += sum_j f_j and rho u += sum_j v_j f_j over the owned rows j0 <= j < j0 + 4, on the owned x
   cells x0 .. x0 + n - 1 (counted from xs): the rows are added one after the other, as four
   single-row sweeps would (bitwise), in one sweep over x. */
static inline void AddFourRows(VfpaMoments m, const PetscScalar *const *f, PetscInt j0, PetscInt x0, PetscInt n)
{
  VfpaGrid                    g  = m->grid;
  const PetscInt              xs = g->xs + x0;
  const PetscReal             v0 = g->v[j0], v1 = g->v[j0 + 1], v2 = g->v[j0 + 2], v3 = g->v[j0 + 3];
  const PetscScalar *restrict q0 = f[j0] + xs, *restrict q1 = f[j0 + 1] + xs, *restrict q2 = f[j0 + 2] + xs, *restrict q3 = f[j0 + 3] + xs;
  PetscReal *restrict         rho = m->rho + xs, *restrict rhou = m->rhou + xs;

  for (PetscInt b = 0; b < n; b++) {
    rho[b]  = rho[b] + q0[b] + q1[b] + q2[b] + q3[b];
    rhou[b] = rhou[b] + v0 * q0[b] + v1 * q1[b] + v2 * q2[b] + v3 * q3[b];
  }
}

static inline void AddRow(VfpaMoments m, const PetscScalar *const *f, PetscInt j, PetscInt x0, PetscInt n)
{
  VfpaGrid                    g  = m->grid;
  const PetscReal             v  = g->v[j];
  const PetscScalar *restrict q  = f[j] + g->xs + x0;
  PetscReal *restrict         rho = m->rho + g->xs + x0, *restrict rhou = m->rhou + g->xs + x0;

  for (PetscInt b = 0; b < n; b++) {
    rho[b] += q[b];
    rhou[b] += v * q[b];
  }
}

/* AddFourRows and AddRow on the rows j0 .. j1 - 1, x cells x0 .. x0 + n - 1. */
static void AddRows(VfpaMoments m, const PetscScalar *const *f, PetscInt j0, PetscInt j1, PetscInt x0, PetscInt n)
{
  PetscInt j = j0;

  for (; j + 4 <= j1; j += 4) AddFourRows(m, f, j, x0, n);
  for (; j < j1; j++) AddRow(m, f, j, x0, n);
}

/* Rows per group of AddWeightedRows, and x cells per block: the group's pieces of f (32 KiB) and four
   blocks of the weighted sums (16 KiB) fit in a 48 KiB L1 cache while every weight is applied. Blocks
   of 512 took 10-20% less time in the moments pass than blocks of 128 (4096 x 2048 and 1024 x 1024,
   -log_view of bench rhs, 4 and 2 interleaved runs). */
#define WEIGHTED_ROWS  8
#define WEIGHTED_BLOCK 512

/* a x + y, in one rounding where the machine has a fast fused multiply-add (this file is compiled as
   ISO C, so the compiler does not fuse a * x + y by itself). */
static inline PetscReal MulAdd(PetscReal a, PetscReal x, PetscReal y)
{
#if defined(FP_FAST_FMA)
  return fma(a, x, y);
#else
  return a * x + y;
#endif
}

/* S_k += sum_r w_{r,k} q_r[b], k < 4, r < WEIGHTED_ROWS, for b < n: four weighted sums per sweep, so
   that each value of f loaded from the cache feeds four multiply-adds (w_{r,k} at w[r K + k]); with
   moments, also rho and rho u of the rows (v their velocities), added one row after the other as
   AddRows would (bitwise). */
static inline void AddFourWeightedSums(PetscBool moments, PetscInt n, PetscInt K, const PetscReal *restrict w, const PetscScalar *const q[], const PetscReal *v, PetscReal *restrict rho, PetscReal *restrict rhou, PetscReal *restrict S0, PetscReal *restrict S1, PetscReal *restrict S2, PetscReal *restrict S3)
{
  const PetscScalar *restrict q0 = q[0], *restrict q1 = q[1], *restrict q2 = q[2], *restrict q3 = q[3];
  const PetscScalar *restrict q4 = q[4], *restrict q5 = q[5], *restrict q6 = q[6], *restrict q7 = q[7];
  PetscReal                   c[4][WEIGHTED_ROWS];

  for (PetscInt k = 0; k < 4; k++)
    for (PetscInt r = 0; r < WEIGHTED_ROWS; r++) c[k][r] = w[r * K + k];
  for (PetscInt b = 0; b < n; b++) {
    if (moments) {
      rho[b]  = rho[b] + q0[b] + q1[b] + q2[b] + q3[b] + q4[b] + q5[b] + q6[b] + q7[b];
      rhou[b] = rhou[b] + v[0] * q0[b] + v[1] * q1[b] + v[2] * q2[b] + v[3] * q3[b] + v[4] * q4[b] + v[5] * q5[b] + v[6] * q6[b] + v[7] * q7[b];
    }
    S0[b] = MulAdd(c[0][7], q7[b], MulAdd(c[0][6], q6[b], MulAdd(c[0][5], q5[b], MulAdd(c[0][4], q4[b], MulAdd(c[0][3], q3[b], MulAdd(c[0][2], q2[b], MulAdd(c[0][1], q1[b], MulAdd(c[0][0], q0[b], S0[b]))))))));
    S1[b] = MulAdd(c[1][7], q7[b], MulAdd(c[1][6], q6[b], MulAdd(c[1][5], q5[b], MulAdd(c[1][4], q4[b], MulAdd(c[1][3], q3[b], MulAdd(c[1][2], q2[b], MulAdd(c[1][1], q1[b], MulAdd(c[1][0], q0[b], S1[b]))))))));
    S2[b] = MulAdd(c[2][7], q7[b], MulAdd(c[2][6], q6[b], MulAdd(c[2][5], q5[b], MulAdd(c[2][4], q4[b], MulAdd(c[2][3], q3[b], MulAdd(c[2][2], q2[b], MulAdd(c[2][1], q1[b], MulAdd(c[2][0], q0[b], S2[b]))))))));
    S3[b] = MulAdd(c[3][7], q7[b], MulAdd(c[3][6], q6[b], MulAdd(c[3][5], q5[b], MulAdd(c[3][4], q4[b], MulAdd(c[3][3], q3[b], MulAdd(c[3][2], q2[b], MulAdd(c[3][1], q1[b], MulAdd(c[3][0], q0[b], S3[b]))))))));
  }
}

/* rho, rho u (AddRows) and wsums_k += sum_r w_{j0+r,k} f_{j0+r} over the n <= WEIGHTED_ROWS owned rows
   from j0, a block of x cells at a time, so that the weighted sums find the block in the L1 cache
   (nweights is a multiple of 4). A group of fewer rows is padded with zero weights on its first row,
   which adds nothing. */
static void AddWeightedRows(VfpaMoments m, const PetscScalar *const *f, PetscInt j0, PetscInt n)
{
  VfpaGrid           g = m->grid;
  const PetscInt     K = m->nweights, xm = g->xm;
  PetscReal          w[WEIGHTED_ROWS * VFPA_MOMENTS_MAX_WEIGHTS];
  const PetscScalar *q[WEIGHTED_ROWS];

  for (PetscInt i = 0; i < WEIGHTED_ROWS * K; i++) w[i] = i < n * K ? m->weights[(j0 - g->vs) * K + i] : 0;
  for (PetscInt r = 0; r < WEIGHTED_ROWS; r++) q[r] = f[j0 + (r < n ? r : 0)] + g->xs;
  for (PetscInt x0 = 0; x0 < xm; x0 += WEIGHTED_BLOCK) {
    const PetscInt     nb = PetscMin(WEIGHTED_BLOCK, xm - x0);
    const PetscScalar *qb[WEIGHTED_ROWS];
    PetscReal         *rho = m->rho + g->xs + x0, *rhou = m->rhou + g->xs + x0;
    if (n < WEIGHTED_ROWS) AddRows(m, f, j0, j0 + n, x0, nb);
    for (PetscInt r = 0; r < WEIGHTED_ROWS; r++) qb[r] = q[r] + x0;
    for (PetscInt k = 0; k < K; k += 4) {
      PetscReal *S = m->wsums + k * m->wld + x0;
      if (k == 0 && n == WEIGHTED_ROWS) AddFourWeightedSums(PETSC_TRUE, nb, K, w + k, qb, g->v + j0, rho, rhou, S, S + m->wld, S + 2 * m->wld, S + 3 * m->wld);
      else AddFourWeightedSums(PETSC_FALSE, nb, K, w + k, qb, NULL, NULL, NULL, S, S + m->wld, S + 2 * m->wld, S + 3 * m->wld);
    }
  }
}

/* The edge rows f_0 and f_{nv-1} of the owned x cells where this rank owns them (zeros elsewhere, so
   that the column reduction gives every rank both). */
static PetscErrorCode CopyEdgeRows(VfpaMoments m, const PetscScalar *const *f)
{
  VfpaGrid g = m->grid;

  PetscFunctionBeginUser;
  if (g->vs == 0) PetscCall(PetscArraycpy(m->edges, f[0] + g->xs, g->xm));
  if (g->vs + g->vm == g->nv) PetscCall(PetscArraycpy(m->edges + m->wld, f[g->nv - 1] + g->xs, g->xm));
  PetscFunctionReturn(0);
}

/* The sums over the owned cells of the owned f rows of the halo f (VfpaGridHaloBegin), row after row
   (with weights, a group of WEIGHTED_ROWS rows at a time: AddWeightedRows, and the edge rows). Memory:
   f read once, the profiles accumulated in cache. */
PetscErrorCode VfpaMomentsBegin(VfpaMoments m, const PetscScalar *const *f)
{
  VfpaGrid g = m->grid;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(VFPA_Moments, 0, 0, 0, 0));
  PetscCall(PetscArrayzero(m->buffer, m->nbuffer));
  if (m->nweights) {
    for (PetscInt j = g->vs; j < g->vs + g->vm; j += WEIGHTED_ROWS) AddWeightedRows(m, f, j, PetscMin(WEIGHTED_ROWS, g->vs + g->vm - j));
    PetscCall(CopyEdgeRows(m, f));
  } else AddRows(m, f, g->vs, g->vs + g->vm, 0, g->xm);
  PetscCall(PetscLogEventEnd(VFPA_Moments, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

static inline void AddCell(VfpaMoments m, PetscInt j, PetscInt i, PetscScalar f)
{
  m->rho[i] += f;
  m->rhou[i] += m->grid->v[j] * f;
}

/* The x ghost cells of the owned rows (once the halo is complete, VfpaGridHaloEnd), then the sums over
   the column and u. */
PetscErrorCode VfpaMomentsEnd(VfpaMoments m)
{
  VfpaGrid       g    = m->grid;
  const PetscInt left = g->xs - g->gxs, right = g->gxs + g->gxm - g->xs - g->xm;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(VFPA_Moments, 0, 0, 0, 0));
  for (PetscInt j = g->vs; j < g->vs + g->vm; j++) {
    const PetscScalar *ghosts = VfpaGridXGhosts(g, j);
    for (PetscInt k = 0; k < left; k++) AddCell(m, j, g->gxs + k, ghosts[k]);
    for (PetscInt k = 0; k < right; k++) AddCell(m, j, g->xs + g->xm + k, ghosts[left + k]);
  }
  for (PetscInt i = 0; i < 2 * g->gxm; i++) m->buffer[i] *= g->dv;
  PetscCall(VfpaGridSumOverColumn(g, m->nbuffer, m->buffer));
  for (PetscInt i = g->gxs; i < g->gxs + g->gxm; i++) m->u[i] = m->rho[i] > 0 ? m->rhou[i] / m->rho[i] : 0;
  PetscCall(PetscLogEventEnd(VFPA_Moments, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* All at once from the halo f of the state (VfpaGridGetHalo); every rank of a slab gets the same
   moments. */
PetscErrorCode VfpaMomentsCompute(VfpaMoments m, const PetscScalar *const *f)
{
  PetscFunctionBeginUser;
  PetscCall(VfpaMomentsBegin(m, f));
  PetscCall(VfpaMomentsEnd(m));
  PetscFunctionReturn(0);
}

/* Total mass M = sum_i rho_i dx and momentum P = sum_i (rho u)_i dx of the computed moments. */
PetscErrorCode VfpaMomentsTotals(VfpaMoments m, PetscReal *mass, PetscReal *momentum)
{
  VfpaGrid  g      = m->grid;
  PetscReal tot[2] = {0, 0};

  PetscFunctionBeginUser;
  for (PetscInt i = g->xs; i < g->xs + g->xm; i++) {
    tot[0] += m->rho[i] * g->dx;
    tot[1] += m->rhou[i] * g->dx;
  }
  PetscCall(VfpaGridSumOverRow(g, 2, tot));
  if (mass) *mass = tot[0];
  if (momentum) *momentum = tot[1];
  PetscFunctionReturn(0);
}
