/* Unit test of the communication kernels: the cosine-mode and direct-quadrature nonlocal averages
   agree to 1e-13 on trig kernels, the FFT averages equal the quadrature sum summed directly for
   kernels with every frequency, kernel tables are exactly symmetric (which the momentum
   conservation of Cucker-Smale relies on), and the discrete integrals are right. */
#include "unit.h"

/* A deterministic, rough profile on the owned cells. */
static PetscReal Profile(PetscInt i, PetscInt which) { return 1 + 0.5 * PetscSinReal(1.7 * i + which) + 0.3 * PetscCosReal(0.01 * i * i * (which + 1)); }

static PetscErrorCode SetUpKernel(VfpaGrid grid, const char method[], VfpaParams params, VfpaKernel *k)
{
  PetscFunctionBeginUser;
  PetscCall(PetscOptionsSetValue(NULL, "-average_method", method));
  PetscCall(VfpaKernelCreate(PETSC_COMM_WORLD, k));
  PetscCall(VfpaKernelSetFromOptions(*k, params));
  PetscCall(VfpaKernelSetUp(*k, grid));
  PetscFunctionReturn(0);
}

static PetscErrorCode CompareMethods(const char psi[], const char nx[], const char L[])
{
  VfpaParams params;
  VfpaGrid   grid;
  VfpaKernel modes, quad;
  PetscReal *q[2], *a[2], *b[3], diff = 0, scale = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsSetValue(NULL, "-kernel", "trig"));
  PetscCall(PetscOptionsSetValue(NULL, "-kernel_psi", psi));
  PetscCall(PetscOptionsSetValue(NULL, "-nx", nx));
  PetscCall(PetscOptionsSetValue(NULL, "-L", L));
  PetscCall(UnitGridCreate(&params, &grid));
  PetscCall(SetUpKernel(grid, "modes", params, &modes));
  PetscCall(SetUpKernel(grid, "quadrature", params, &quad));
  for (int w = 0; w < 2; w++) {
    PetscCall(VfpaGridProfileCreate(grid, &q[w]));
    PetscCall(VfpaGridProfileCreate(grid, &a[w]));
    PetscCall(VfpaGridProfileCreate(grid, &b[w]));
    for (PetscInt i = grid->xs; i < grid->xs + grid->xm; i++) q[w][i] = Profile(i, w);
  }
  PetscCall(VfpaGridProfileCreate(grid, &b[2]));
  PetscCall(VfpaKernelConvolve(modes, 2, (const PetscReal *const *)q, a));
  PetscCall(VfpaKernelConvolve(quad, 2, (const PetscReal *const *)q, b));
  PetscCall(VfpaKernelConvolve(quad, 1, (const PetscReal *const *)&q[1], &b[2])); /* one profile alone */
  for (int w = 0; w < 3; w++)
    for (PetscInt i = grid->gxs; i < grid->gxs + grid->gxm; i++) {
      diff  = MaxKeepNaN(diff, PetscAbsReal(a[PetscMin(w, 1)][i] - b[w][i]));
      scale = MaxKeepNaN(scale, PetscAbsReal(a[PetscMin(w, 1)][i]));
    }
  diff  = GlobalMax(diff);
  scale = GlobalMax(scale);
  EXPECT(diff <= 1e-13 * scale, "psi %s, nx %s, L %s: modes and quadrature differ by %g (relative %g)", psi, nx, L, (double)diff, (double)(diff / scale));
  EXPECT(PetscAbsReal(quad->integral - grid->L * grid->L * quad->psi[0] * quad->psi[0]) <= 1e-12 * quad->integral, "discrete integral %g != L^2 b0^2", (double)quad->integral);
  for (PetscInt m = 1; m < grid->nx; m++) EXPECT(quad->table[m] == quad->table[grid->nx - m], "table not symmetric at offset %" PetscInt_FMT, m);
  for (int w = 0; w < 2; w++) {
    PetscCall(VfpaGridProfileDestroy(grid, &q[w]));
    PetscCall(VfpaGridProfileDestroy(grid, &a[w]));
    PetscCall(VfpaGridProfileDestroy(grid, &b[w]));
  }
  PetscCall(VfpaGridProfileDestroy(grid, &b[2]));
  PetscCall(VfpaKernelDestroy(&modes));
  PetscCall(VfpaKernelDestroy(&quad));
  PetscCall(VfpaGridDestroy(&grid));
  PetscCall(VfpaParamsDestroy(&params));
  PetscFunctionReturn(0);
}

/* A constant profile c averages to c times the discrete integral, for every kernel. */
static PetscErrorCode CheckConstant(const char kernel[], PetscReal expected_integral)
{
  VfpaParams params;
  VfpaGrid   grid;
  VfpaKernel k;
  PetscReal *q, *out, err = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsSetValue(NULL, "-kernel", kernel));
  PetscCall(PetscOptionsSetValue(NULL, "-nx", "64"));
  PetscCall(PetscOptionsSetValue(NULL, "-L", "1"));
  PetscCall(UnitGridCreate(&params, &grid));
  PetscCall(SetUpKernel(grid, "quadrature", params, &k));
  PetscCall(VfpaGridProfileCreate(grid, &q));
  PetscCall(VfpaGridProfileCreate(grid, &out));
  for (PetscInt i = grid->xs; i < grid->xs + grid->xm; i++) q[i] = 2.5;
  PetscCall(VfpaKernelConvolve(k, 1, (const PetscReal *const *)&q, &out));
  for (PetscInt i = grid->gxs; i < grid->gxs + grid->gxm; i++) err = MaxKeepNaN(err, PetscAbsReal(out[i] - 2.5 * k->integral));
  err = GlobalMax(err);
  EXPECT(err <= 1e-13 * k->integral, "kernel %s: average of a constant is off by %g", kernel, (double)err);
  if (expected_integral > 0) EXPECT(PetscAbsReal(k->integral - expected_integral) <= 1e-3 * expected_integral, "kernel %s: integral %g, expected about %g", kernel, (double)k->integral, (double)expected_integral);
  for (PetscInt m = 1; m < grid->nx; m++) EXPECT(k->table[m] == k->table[grid->nx - m], "kernel %s: table not symmetric at offset %" PetscInt_FMT, kernel, m);
  PetscCall(VfpaGridProfileDestroy(grid, &q));
  PetscCall(VfpaGridProfileDestroy(grid, &out));
  PetscCall(VfpaKernelDestroy(&k));
  PetscCall(VfpaGridDestroy(&grid));
  PetscCall(VfpaParamsDestroy(&params));
  PetscFunctionReturn(0);
}

/* The FFT average against the quadrature sum itself, (q)_phi(x_i) = sum_m phi_m q_{(i-m) mod nx} dx,
   summed directly (O(nx^2)) on the owned cells: a kernel with a jump (tophat) and a narrow gaussian
   have Fourier coefficients at every frequency, so every weight of the half-length transform counts
   (even nx up to VFPA_FFT_HALF_MAX_NX), as does every coefficient of the real transforms (odd nx,
   larger nx). Two profiles per call, as Favre averaging passes them. */
static PetscErrorCode CompareDirectSum(const char kernel[], const char width[], PetscInt nx)
{
  VfpaParams params;
  VfpaGrid   grid;
  VfpaKernel k;
  PetscReal *q[2], *out[2], *full, diff = 0, scale = 0;
  char       n[32];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(n, sizeof(n), "%" PetscInt_FMT, nx));
  PetscCall(PetscOptionsSetValue(NULL, "-kernel", kernel));
  PetscCall(PetscOptionsSetValue(NULL, "-kernel_width", width));
  PetscCall(PetscOptionsSetValue(NULL, "-nx", n));
  PetscCall(PetscOptionsSetValue(NULL, "-L", "1"));
  PetscCall(UnitGridCreate(&params, &grid));
  PetscCall(SetUpKernel(grid, "quadrature", params, &k));
  PetscCall(PetscMalloc1(nx, &full));
  for (int w = 0; w < 2; w++) {
    PetscCall(VfpaGridProfileCreate(grid, &q[w]));
    PetscCall(VfpaGridProfileCreate(grid, &out[w]));
    for (PetscInt i = grid->xs; i < grid->xs + grid->xm; i++) q[w][i] = Profile(i, w);
  }
  PetscCall(VfpaKernelConvolve(k, 2, (const PetscReal *const *)q, out));
  for (int w = 0; w < 2; w++) {
    for (PetscInt i = 0; i < nx; i++) full[i] = Profile(i, w); /* every rank knows the whole profile */
    for (PetscInt i = grid->xs; i < grid->xs + grid->xm; i++) {
      PetscReal sum = 0;
      for (PetscInt m = 0; m < nx; m++) sum += k->table[m] * full[(i - m + nx) % nx] * grid->dx;
      diff  = MaxKeepNaN(diff, PetscAbsReal(out[w][i] - sum));
      scale = MaxKeepNaN(scale, PetscAbsReal(sum));
    }
  }
  diff  = GlobalMax(diff);
  scale = GlobalMax(scale);
  EXPECT(diff <= 1e-13 * scale, "kernel %s, nx %" PetscInt_FMT ": FFT average and direct quadrature sum differ by %g (relative %g)", kernel, nx, (double)diff, (double)(diff / scale));
  for (int w = 0; w < 2; w++) {
    PetscCall(VfpaGridProfileDestroy(grid, &q[w]));
    PetscCall(VfpaGridProfileDestroy(grid, &out[w]));
  }
  PetscCall(PetscFree(full));
  PetscCall(VfpaKernelDestroy(&k));
  PetscCall(VfpaGridDestroy(&grid));
  PetscCall(VfpaParamsDestroy(&params));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscCall(VfpaInitialize(&argc, &argv, NULL));
  PetscCall(CompareMethods("1,0.5", "64", "1"));
  PetscCall(CompareMethods("1,0.5", "4096", "1"));
  PetscCall(CompareMethods("2,0.3,-0.7,0.25,0.1", "50", "6.3"));
  PetscCall(CompareMethods("1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1", "16", "2"));
  PetscCall(PetscOptionsSetValue(NULL, "-kernel_width", "0.05"));
  PetscCall(CheckConstant("gaussian", 0.05 * PetscSqrtReal(2 * PETSC_PI)));
  PetscCall(CheckConstant("tophat", 0.0));
  PetscCall(CheckConstant("algebraic", 0.0));
  PetscCall(CompareDirectSum("tophat", "0.1", 64));     /* half-length transforms */
  PetscCall(CompareDirectSum("gaussian", "0.003", 4096));
  PetscCall(CompareDirectSum("tophat", "0.3", 8));
  PetscCall(CompareDirectSum("tophat", "0.1", 63));     /* real transforms */
  PetscCall(CompareDirectSum("tophat", "0.05", 8192));
  PetscCall(UNIT_SUMMARY());
  PetscCall(PetscFinalize());
  return unit_failures ? 1 : 0;
}
