/* Unit test of the Scharfetter-Gummel Fokker-Planck operator:
   - the Bernoulli function: B(-z) = B(z) + z, B > 0, -1 < B' < 0, continuity across branches;
   - a discrete Maxwellian with variance sigma is an exact steady state when [u] is its discrete mean
     (as at every protocol's equilibrium), and with -fp_drift average for any centre [u];
   - with -fp_drift average, the operator equals the fluxes built from the scalar VfpaBernoulli, also
     at faces where z = 0 or |z| < 1e-3 (the Taylor series), and so does the assembled Jacobian;
   - for arbitrary positive f and [u], every x cell loses no mass and gains exactly the momentum
     s (rho [u] - rho u) (SPEC sections 1 and 3);
   - the assembled IMEX Jacobian is the operator with frozen face coefficients: J f = -d_v J(f);
   - the column preconditioner solves shift I + J exactly when v is on one rank, and refuses a
     velocity split with a message;
   - transport set block by block inside the Fokker-Planck pass (the explicit right-hand side) gives
     bitwise what transport followed by the Fokker-Planck operator gives, on a grid of many blocks;
   - on an unresolved velocity grid, where the drift takes Newton steps, the momentum exchange is
     still exact.
   Run it on any layout, including -da_processors_y 2 (velocity split across ranks). */
#include "unit.h"

static PetscErrorCode CheckBernoulli(void)
{
  const PetscReal zs[] = {-800, -40, -3, -1, -1e-3 - 1e-12, -1e-3 + 1e-12, -1e-8, 0, 1e-9, 1e-3 - 1e-12, 1e-3 + 1e-12, 0.5, 2, 30, 700, 800};
  for (size_t k = 0; k < sizeof(zs) / sizeof(zs[0]); k++) {
    PetscReal z = zs[k], B, dB, Bm, dBm;
    VfpaBernoulli(z, &B, &dB);
    VfpaBernoulli(-z, &Bm, &dBm);
    EXPECT(B >= 0 && (B > 0 || z > 700), "B(%g) = %g is not positive", (double)z, (double)B);
    EXPECT(dB > -1 - 1e-15 && dB < 1e-15, "B'(%g) = %g outside (-1, 0)", (double)z, (double)dB);
    EXPECT(PetscAbsReal(Bm - B - z) <= 1e-14 * PetscMax(1, PetscAbsReal(z)), "B(-z) - B(z) - z = %g at z = %g", (double)(Bm - B - z), (double)z);
    EXPECT(PetscAbsReal(dBm + dB + 1) <= 1e-13, "B'(-z) + B'(z) + 1 = %g at z = %g", (double)(dBm + dB + 1), (double)z);
  }
  /* the series branch (|z| < 1e-3) and the exponential branch meet continuously */
  PetscFunctionBeginUser;
  for (int sign = -1; sign <= 1; sign += 2) {
    const PetscReal z1 = sign * (1e-3 - 1e-12), z2 = sign * (1e-3 + 1e-12);
    PetscReal       B1, dB1, B2, dB2;
    VfpaBernoulli(z1, &B1, &dB1);
    VfpaBernoulli(z2, &B2, &dB2);
    EXPECT(PetscAbsReal(B2 - B1 - dB1 * (z2 - z1)) <= 1e-15 && PetscAbsReal(dB1 - dB2) <= 1e-12, "B jumps by %g, B' by %g across |z| = 1e-3", (double)(B2 - B1 - dB1 * (z2 - z1)), (double)(dB1 - dB2));
  }
  PetscFunctionReturn(0);
}

/* A model on a small grid, with f filled column by column from Column(i, j). */
typedef PetscReal (*ColumnFn)(VfpaGrid, PetscInt, PetscInt);

static PetscErrorCode MakeModelNV(const char nx[], const char nv[], VfpaModel *m, Vec *U, ColumnFn column)
{
  VfpaParams    params;
  PetscScalar **u;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsSetValue(NULL, "-nx", nx));
  PetscCall(PetscOptionsSetValue(NULL, "-nv", nv));
  PetscCall(PetscOptionsSetValue(NULL, "-vmax", "6"));
  PetscCall(PetscOptionsSetValue(NULL, "-sigma", "0.7"));
  PetscCall(PetscOptionsSetValue(NULL, "-protocol", "local"));
  PetscCall(VfpaParamsCreate(&params));
  PetscCall(VfpaModelCreate(PETSC_COMM_WORLD, m));
  PetscCall(VfpaModelSetFromOptions(*m, params));
  PetscCall(VfpaModelSetUp(*m));
  PetscCall(VfpaParamsDestroy(&params));
  PetscCall(DMCreateGlobalVector((*m)->grid->da, U));
  PetscCall(DMDAVecGetArray((*m)->grid->da, *U, &u));
  for (PetscInt j = (*m)->grid->vs; j < (*m)->grid->vs + (*m)->grid->vm; j++)
    for (PetscInt i = (*m)->grid->xs; i < (*m)->grid->xs + (*m)->grid->xm; i++) u[j][i] = column((*m)->grid, i, j);
  PetscCall(DMDAVecRestoreArray((*m)->grid->da, *U, &u));
  PetscFunctionReturn(0);
}

static PetscErrorCode MakeModel(const char nx[], VfpaModel *m, Vec *U, ColumnFn column)
{
  PetscFunctionBeginUser;
  PetscCall(MakeModelNV(nx, "40", m, U, column));
  PetscFunctionReturn(0);
}

/* rhs = d_v J(U) with strength s(x) and average [u](x) as given. */
static PetscErrorCode ApplyFP(VfpaModel m, Vec U, const PetscReal *s, const PetscReal *avg, Vec F)
{
  const PetscScalar *const *f;
  PetscScalar             **rhs;

  PetscFunctionBeginUser;
  PetscCall(VfpaGridGetHalo(m->grid, U, &f));
  PetscCall(VfpaMomentsCompute(m->moments, f));
  PetscCall(VecZeroEntries(F));
  PetscCall(DMDAVecGetArray(m->grid->da, F, &rhs));
  PetscCall(VfpaFokkerPlanckApply(m->fp, f, m->moments, s, avg, NULL, NULL, rhs));
  PetscCall(DMDAVecRestoreArray(m->grid->da, F, &rhs));
  PetscCall(VfpaGridRestoreHalo(m->grid, U, &f));
  PetscFunctionReturn(0);
}

static PetscReal MaxwellCentre(PetscInt i) { return 0.37 + 0.2 * PetscSinReal(0.9 * i); }
static PetscReal Maxwellian(VfpaGrid g, PetscInt i, PetscInt j) { return (1 + 0.3 * PetscCosReal(i)) * PetscExpReal(-0.5 * PetscSqr(g->v[j] - MaxwellCentre(i)) / 0.7); }
static PetscReal Rough(VfpaGrid g, PetscInt i, PetscInt j) { return 0.01 + PetscExpReal(-PetscSqr(g->v[j] - 1 - 0.1 * i)) + (j % 5 == 0 ? 0.3 : 0) + 0.2 * (j > 20 && j < 26); }

/* Per x cell: sum_j rhs dv (mass change) and sum_j v_j rhs dv (momentum change), summed over v. */
static PetscErrorCode ColumnChanges(VfpaModel m, Vec F, PetscReal *dmass, PetscReal *dmom)
{
  VfpaGrid      g = m->grid;
  PetscScalar **rhs;

  PetscFunctionBeginUser;
  PetscCall(PetscArrayzero(dmass + g->gxs, g->gxm));
  PetscCall(PetscArrayzero(dmom + g->gxs, g->gxm));
  PetscCall(DMDAVecGetArray(g->da, F, &rhs));
  for (PetscInt j = g->vs; j < g->vs + g->vm; j++)
    for (PetscInt i = g->xs; i < g->xs + g->xm; i++) {
      dmass[i] += rhs[j][i] * g->dv;
      dmom[i] += g->v[j] * rhs[j][i] * g->dv;
    }
  PetscCall(DMDAVecRestoreArray(g->da, F, &rhs));
  PetscCall(VfpaGridSumOverColumn(g, g->gxm, dmass + g->gxs));
  PetscCall(VfpaGridSumOverColumn(g, g->gxm, dmom + g->gxs));
  PetscFunctionReturn(0);
}

/* drift "momentum": [u] = the discrete mean of f; drift "average": [u] = the Maxwellian's centre. */
static PetscErrorCode CheckSteadyState(const char drift[])
{
  VfpaModel m;
  Vec       U, F;
  PetscReal *s, *avg, fmax, rmax;
  PetscBool  momentum;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsSetValue(NULL, "-fp_drift", drift));
  PetscCall(PetscStrcmp(drift, "momentum", &momentum));
  PetscCall(MakeModel("12", &m, &U, Maxwellian));
  PetscCall(VecDuplicate(U, &F));
  PetscCall(VfpaGridProfileCreate(m->grid, &s));
  PetscCall(VfpaGridProfileCreate(m->grid, &avg));
  PetscCall(VfpaModelComputeMoments(m, U));
  for (PetscInt i = m->grid->gxs; i < m->grid->gxs + m->grid->gxm; i++) {
    s[i]   = 3.0;
    avg[i] = momentum ? m->moments->u[i] : MaxwellCentre(i);
  }
  PetscCall(ApplyFP(m, U, s, avg, F));
  PetscCall(NormMax(U, &fmax));
  PetscCall(NormMax(F, &rmax));
  EXPECT(rmax <= 1e-13 * fmax * 3.0 * m->fp->sigma / PetscSqr(m->grid->dv), "-fp_drift %s: the Maxwellian is not steady: max |d_v J| = %g", drift, (double)rmax);
  PetscCall(VfpaGridProfileDestroy(m->grid, &s));
  PetscCall(VfpaGridProfileDestroy(m->grid, &avg));
  PetscCall(VecDestroy(&F));
  PetscCall(VecDestroy(&U));
  PetscCall(VfpaModelDestroy(&m));
  PetscCall(PetscOptionsSetValue(NULL, "-fp_drift", "momentum"));
  PetscFunctionReturn(0);
}

/* J (shift 0) with the face coefficients of the last evaluation, F = d_v J(U), must reproduce -F;
   twice: the values of the first assembly are overwritten by the second (in place over the pattern
   VfpaModelCreateJacobian sets; by MatSetValuesStencil when v is split). */
static PetscErrorCode CheckJacobianAction(VfpaModel m, Vec U, Vec F, const PetscReal *s, Mat J)
{
  Vec       JU;
  PetscReal jerr, rmax;

  PetscFunctionBeginUser;
  PetscCall(VecDuplicate(U, &JU));
  for (int pass = 0; pass < 2; pass++) {
    PetscCall(VfpaFokkerPlanckAssemble(m->fp, s, 0.0, J));
    PetscCall(MatAssemblyBegin(J, MAT_FINAL_ASSEMBLY));
    PetscCall(MatAssemblyEnd(J, MAT_FINAL_ASSEMBLY));
    PetscCall(MatMult(J, U, JU));
    PetscCall(VecAXPY(JU, 1.0, F));
    PetscCall(NormMax(JU, &jerr));
    PetscCall(NormMax(F, &rmax));
    EXPECT(jerr <= 1e-13 * rmax, "assembly %d: J f + d_v J(f) = %g, relative %g", pass, (double)jerr, (double)(jerr / rmax));
  }
  PetscCall(VecDestroy(&JU));
  PetscFunctionReturn(0);
}

/* Drift centres that put some faces at z = 0 and inside the series range |z| < 1e-3 of B(z): the
   centre of column i is a face velocity for i % 3 == 0, a face velocity shifted by z = 4e-4 sigma / dv
   for i % 3 == 1, and MaxwellCentre otherwise. */
static PetscReal SeriesCentre(VfpaGrid g, PetscReal sigma, PetscInt i)
{
  const PetscReal face = g->vface[g->nv / 2 + i % 7];
  if (i % 3 == 0) return face;
  if (i % 3 == 1) return face - 4e-4 * sigma / g->dv;
  return MaxwellCentre(i);
}

/* -fp_drift average: the vectorised operator (tabulated exponentials, selected Taylor series)
   equals d_v J built face by face from the scalar VfpaBernoulli, on rough f and at drift centres on
   and next to faces; the Jacobian assembled with these drifts reproduces it (CheckJacobianAction).
   Faces far from every drift skip the series: at z = 0 a face that skipped it gets B = 0 or 0 / 0,
   not 1. */
static PetscErrorCode CheckAgainstScalarBernoulli(void)
{
  VfpaModel           m;
  VfpaGrid            g;
  Vec                 U, Uloc, F;
  Mat                 J;
  const PetscScalar **u, **rhs;
  PetscReal          *s, *avg, sigma, worst = 0, scale = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsSetValue(NULL, "-fp_drift", "average"));
  PetscCall(MakeModel("12", &m, &U, Rough));
  g     = m->grid;
  sigma = m->fp->sigma;
  PetscCall(VecDuplicate(U, &F));
  PetscCall(VfpaGridProfileCreate(g, &s));
  PetscCall(VfpaGridProfileCreate(g, &avg));
  for (PetscInt i = g->gxs; i < g->gxs + g->gxm; i++) {
    s[i]   = 1.5 + 0.1 * i;
    avg[i] = SeriesCentre(g, sigma, i);
  }
  PetscCall(ApplyFP(m, U, s, avg, F));
  PetscCall(DMGetLocalVector(g->da, &Uloc)); /* with the rows beside a velocity split */
  PetscCall(DMGlobalToLocal(g->da, U, INSERT_VALUES, Uloc));
  PetscCall(DMDAVecGetArrayRead(g->da, Uloc, &u));
  PetscCall(DMDAVecGetArrayRead(g->da, F, &rhs));
  for (PetscInt j = g->vs; j < g->vs + g->vm; j++)
    for (PetscInt i = g->xs; i < g->xs + g->xm; i++) {
      PetscReal flux[2] = {0, 0}, B, dB, Bm, dBm, expected;
      for (PetscInt k = 0; k < 2; k++) {
        const PetscInt face = j - 1 + k; /* faces j - 1/2 and j + 1/2; none at the walls */
        if (face < 0 || face >= g->nv - 1) continue;
        VfpaBernoulli(g->dv * (g->vface[face] - avg[i]) / sigma, &B, &dB);
        VfpaBernoulli(-g->dv * (g->vface[face] - avg[i]) / sigma, &Bm, &dBm);
        flux[k] = Bm * u[face + 1][i] - B * u[face][i];
      }
      expected = s[i] * sigma / PetscSqr(g->dv) * (flux[1] - flux[0]);
      worst    = MaxKeepNaN(worst, PetscAbsReal(rhs[j][i] - expected));
      scale    = MaxKeepNaN(scale, PetscAbsReal(expected));
    }
  PetscCall(DMDAVecRestoreArrayRead(g->da, F, &rhs));
  PetscCall(DMDAVecRestoreArrayRead(g->da, Uloc, &u));
  PetscCall(DMRestoreLocalVector(g->da, &Uloc));
  worst = GlobalMax(worst);
  scale = GlobalMax(scale);
  EXPECT(worst <= 1e-12 * scale, "d_v J differs from the scalar Bernoulli fluxes by %g (scale %g)", (double)worst, (double)scale);
  PetscCall(VfpaModelCreateJacobian(m, &J));
  PetscCall(CheckJacobianAction(m, U, F, s, J));
  PetscCall(MatDestroy(&J));
  PetscCall(VfpaGridProfileDestroy(g, &s));
  PetscCall(VfpaGridProfileDestroy(g, &avg));
  PetscCall(VecDestroy(&F));
  PetscCall(VecDestroy(&U));
  PetscCall(VfpaModelDestroy(&m));
  PetscCall(PetscOptionsSetValue(NULL, "-fp_drift", "momentum"));
  PetscFunctionReturn(0);
}

/* x = P^{-1} b with the column preconditioner for P = shift I + J, shift 40 and then 3 (the second
   set-up reuses the pattern read by the first, with new values): |P x - b| <= 1e-13 |b| */
static PetscErrorCode CheckColumnSolve(VfpaModel m, const PetscReal *s, Mat J)
{
  const PetscReal shifts[2] = {40.0, 3.0};
  KSP             ksp;
  PC              pc;
  Vec             b, x, r;
  PetscRandom     rand;
  PetscReal       err, bnorm;
  PetscErrorCode  ierr;

  PetscFunctionBeginUser;
  PetscCall(MatCreateVecs(J, &x, &b));
  PetscCall(VecDuplicate(b, &r));
  PetscCall(PetscRandomCreate(PETSC_COMM_WORLD, &rand));
  PetscCall(VecSetRandom(b, rand));
  PetscCall(KSPCreate(PETSC_COMM_WORLD, &ksp));
  PetscCall(KSPSetOperators(ksp, J, J));
  PetscCall(KSPSetType(ksp, KSPPREONLY));
  PetscCall(KSPGetPC(ksp, &pc));
  PetscCall(VfpaColumnPCSet(pc, m->grid));
  for (int k = 0; k < 2; k++) {
    PetscCall(VfpaFokkerPlanckAssemble(m->fp, s, shifts[k], J));
    PetscCall(MatAssemblyBegin(J, MAT_FINAL_ASSEMBLY));
    PetscCall(MatAssemblyEnd(J, MAT_FINAL_ASSEMBLY));
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
    ierr = KSPSolve(ksp, b, x);
    PetscCall(PetscPopErrorHandler());
    if (m->grid->pv == 1) {
      EXPECT(ierr == 0, "the column preconditioner failed on whole columns (error %d)", (int)ierr);
      PetscCall(MatMult(J, x, r));
      PetscCall(VecAXPY(r, -1.0, b));
      PetscCall(NormMax(r, &err));
      PetscCall(NormMax(b, &bnorm));
      EXPECT(err <= 1e-13 * bnorm, "column preconditioner, shift %g: |P x - b| = %g, relative %g", (double)shifts[k], (double)err, (double)(err / bnorm));
    } else {
      EXPECT(ierr == PETSC_ERR_SUP, "the column preconditioner accepted a velocity split (error %d)", (int)ierr);
      break;
    }
  }
  PetscCall(KSPDestroy(&ksp));
  PetscCall(PetscRandomDestroy(&rand));
  PetscCall(VecDestroy(&b));
  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&r));
  PetscFunctionReturn(0);
}

/* Per x cell, the largest relative mass change and the largest relative departure of the momentum
   change from s (rho [u] - rho u), over all ranks. */
static PetscErrorCode ExchangeErrors(VfpaModel m, Vec F, const PetscReal *s, const PetscReal *avg, PetscReal *err_mass, PetscReal *err_mom)
{
  VfpaGrid   g = m->grid;
  PetscReal *dmass, *dmom;

  PetscFunctionBeginUser;
  PetscCall(VfpaGridProfileCreate(g, &dmass));
  PetscCall(VfpaGridProfileCreate(g, &dmom));
  PetscCall(ColumnChanges(m, F, dmass, dmom));
  *err_mass = *err_mom = 0;
  for (PetscInt i = g->xs; i < g->xs + g->xm; i++) {
    const PetscReal rho = m->moments->rho[i], rhou = m->moments->rhou[i], target = s[i] * (rho * avg[i] - rhou);
    const PetscReal scale = s[i] * (PetscAbsReal(rho * avg[i]) + PetscAbsReal(rhou) + rho);
    *err_mass = MaxKeepNaN(*err_mass, PetscAbsReal(dmass[i]) / scale);
    *err_mom  = MaxKeepNaN(*err_mom, PetscAbsReal(dmom[i] - target) / scale);
  }
  *err_mass = GlobalMax(*err_mass);
  *err_mom  = GlobalMax(*err_mom);
  PetscCall(VfpaGridProfileDestroy(g, &dmass));
  PetscCall(VfpaGridProfileDestroy(g, &dmom));
  PetscFunctionReturn(0);
}

/* The strength s = 1.5 + sin i and the average [u] = -0.8 + 0.15 i of the exchange checks, as new
   ghosted profiles. */
static PetscErrorCode ExchangeFields(VfpaGrid g, PetscReal **s, PetscReal **avg)
{
  PetscFunctionBeginUser;
  PetscCall(VfpaGridProfileCreate(g, s));
  PetscCall(VfpaGridProfileCreate(g, avg));
  for (PetscInt i = g->gxs; i < g->gxs + g->gxm; i++) {
    (*s)[i]   = 1.5 + PetscSinReal(i);
    (*avg)[i] = -0.8 + 0.15 * i;
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode CheckExchangeAndJacobian(void)
{
  VfpaModel  m;
  VfpaGrid   g;
  Vec        U, F;
  Mat        J;
  PetscReal *s, *avg, err_mass, err_mom;

  PetscFunctionBeginUser;
  PetscCall(MakeModel("12", &m, &U, Rough));
  g = m->grid;
  PetscCall(VecDuplicate(U, &F));
  PetscCall(ExchangeFields(g, &s, &avg));
  PetscCall(ApplyFP(m, U, s, avg, F));
  PetscCall(ExchangeErrors(m, F, s, avg, &err_mass, &err_mom));
  EXPECT(err_mass <= 1e-13, "mass change per x cell is %g (relative), not 0", (double)err_mass);
  EXPECT(err_mom <= 1e-13, "momentum change per x cell differs from s (rho [u] - rho u) by %g (relative)", (double)err_mom);

  PetscCall(VfpaModelCreateJacobian(m, &J));
  PetscCall(CheckJacobianAction(m, U, F, s, J));
  PetscCall(CheckColumnSolve(m, s, J));
  PetscCall(MatDestroy(&J));
  PetscCall(VfpaGridProfileDestroy(g, &s));
  PetscCall(VfpaGridProfileDestroy(g, &avg));
  PetscCall(VecDestroy(&F));
  PetscCall(VecDestroy(&U));
  PetscCall(VfpaModelDestroy(&m));
  PetscFunctionReturn(0);
}

/* nv = 8 on [-6, 6] with sigma = 0.7 (dv = 1.5, dv / sigma = 2.1): the drift takes Newton steps
   (it moves off [u] in some column), and the momentum exchange is still exact, mass still kept. */
static PetscErrorCode CheckUnresolvedExchange(void)
{
  VfpaModel  m;
  VfpaGrid   g;
  Vec        U, F;
  PetscReal *s, *avg, err_mass, err_mom, moved = 0;

  PetscFunctionBeginUser;
  PetscCall(MakeModelNV("12", "8", &m, &U, Rough));
  g = m->grid;
  PetscCall(VecDuplicate(U, &F));
  PetscCall(ExchangeFields(g, &s, &avg));
  PetscCall(ApplyFP(m, U, s, avg, F));
  for (PetscInt b = 0; b < g->xm; b++) moved = MaxKeepNaN(moved, PetscAbsReal(m->fp->c[b] - avg[g->xs + b]));
  moved = GlobalMax(moved);
  EXPECT(moved > 1e-2, "nv = 8: the drift took no Newton step (it moved by %g at most)", (double)moved);
  PetscCall(ExchangeErrors(m, F, s, avg, &err_mass, &err_mom));
  EXPECT(err_mass <= 1e-13, "nv = 8: mass change per x cell is %g (relative), not 0", (double)err_mass);
  EXPECT(err_mom <= 1e-13, "nv = 8: momentum change per x cell differs from s (rho [u] - rho u) by %g (relative)", (double)err_mom);
  PetscCall(VfpaGridProfileDestroy(g, &s));
  PetscCall(VfpaGridProfileDestroy(g, &avg));
  PetscCall(VecDestroy(&F));
  PetscCall(VecDestroy(&U));
  PetscCall(VfpaModelDestroy(&m));
  PetscFunctionReturn(0);
}

/* Transport then the Fokker-Planck operator, against both in one pass with VfpaTransportSetRows
   (rhs filled with garbage first, so a row it missed shows): bitwise equal. nx = 2048 makes blocks of
   a few rows (4096 cells). */
static PetscErrorCode CheckRowsSetter(void)
{
  VfpaModel                 m;
  VfpaGrid                  g;
  Vec                       U, F[2];
  PetscReal                *s, *avg;
  PetscBool                 same;
  const PetscScalar *const *f;
  PetscScalar             **rhs;

  PetscFunctionBeginUser;
  PetscCall(MakeModel("2048", &m, &U, Rough));
  g = m->grid;
  PetscCall(VfpaGridProfileCreate(g, &s));
  PetscCall(VfpaGridProfileCreate(g, &avg));
  for (PetscInt i = g->gxs; i < g->gxs + g->gxm; i++) {
    s[i]   = 1.5 + PetscSinReal(i);
    avg[i] = -0.8 + 0.001 * i;
  }
  PetscCall(VfpaGridGetHalo(g, U, &f));
  PetscCall(VfpaMomentsCompute(m->moments, f));
  for (int k = 0; k < 2; k++) {
    PetscCall(VecDuplicate(U, &F[k]));
    PetscCall(VecSet(F[k], 1e300));
    PetscCall(DMDAVecGetArray(g->da, F[k], &rhs));
    if (k == 0) PetscCall(VfpaTransportApply(m->transport, f, rhs));
    PetscCall(VfpaFokkerPlanckApply(m->fp, f, m->moments, s, avg, k == 0 ? NULL : VfpaTransportSetRows, m->transport, rhs));
    PetscCall(DMDAVecRestoreArray(g->da, F[k], &rhs));
  }
  PetscCall(VfpaGridRestoreHalo(g, U, &f));
  PetscCall(VecEqual(F[0], F[1], &same));
  EXPECT(same, "transport set inside the Fokker-Planck pass differs from transport then Fokker-Planck");
  for (int k = 0; k < 2; k++) PetscCall(VecDestroy(&F[k]));
  PetscCall(VfpaGridProfileDestroy(g, &s));
  PetscCall(VfpaGridProfileDestroy(g, &avg));
  PetscCall(VecDestroy(&U));
  PetscCall(VfpaModelDestroy(&m));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscCall(VfpaInitialize(&argc, &argv, NULL));
  PetscCall(VfpaLogRegister());
  PetscCall(CheckBernoulli());
  PetscCall(CheckSteadyState("momentum"));
  PetscCall(CheckSteadyState("average"));
  PetscCall(CheckAgainstScalarBernoulli());
  PetscCall(CheckExchangeAndJacobian());
  PetscCall(CheckUnresolvedExchange());
  PetscCall(CheckRowsSetter());
  PetscCall(UNIT_SUMMARY());
  PetscCall(PetscFinalize());
  return unit_failures ? 1 : 0;
}
