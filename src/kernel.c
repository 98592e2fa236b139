/* Communication kernels and the allreduced nonlocal average (SPEC section 2). */
#include "vfpa_kernel.h"
#include "vfpa_log.h"
#include "vfpa_sys.h"

const char *const VfpaAverageMethods[] = {"auto", "modes", "quadrature", NULL};

static PetscFunctionList KernelList = NULL;

/* trig: phi = psi * psi with psi = sum_k b_k cos(2 pi k x / L); on the torus
   psi*psi(x) = L [ b_0^2 + sum_{k>=1} (b_k^2 / 2) cos(2 pi k x / L) ]  (SPEC section 2). */
static PetscReal TrigCoefficient(VfpaKernel k, PetscInt m)
{
  return m == 0 ? k->grid->L * k->psi[0] * k->psi[0] : 0.5 * k->grid->L * k->psi[m] * k->psi[m];
}

static PetscReal TrigEval(VfpaKernel k, PetscReal d)
{
  PetscReal phi = 0;
  for (PetscInt m = 0; m < k->npsi; m++) phi += TrigCoefficient(k, m) * PetscCosReal(2 * PETSC_PI * m * d / k->grid->L);
  return phi;
}

/* Sum a decaying even profile over the periodic images d + nL until the images fall below
   round-off; -1 when that takes more than a million images. */
static PetscReal SumImages(PetscReal (*base)(VfpaKernel, PetscReal), VfpaKernel k, PetscReal d)
{
  PetscReal sum = base(k, d), L = k->grid->L;
  for (PetscInt n = 1; n <= 1000000; n++) {
    PetscReal term = base(k, PetscAbsReal(d + n * L)) + base(k, PetscAbsReal(d - n * L));
    sum += term;
    if (term <= 1e-17 * sum) return sum;
  }
  return -1;
}

static PetscReal AlgebraicBase(VfpaKernel k, PetscReal r) { return PetscPowReal(1 + r * r, -0.5 * k->power); }
static PetscReal GaussianBase(VfpaKernel k, PetscReal r) { return PetscExpReal(-0.5 * r * r / (k->width * k->width)); }
static PetscReal AlgebraicEval(VfpaKernel k, PetscReal d) { return SumImages(AlgebraicBase, k, d); }
static PetscReal GaussianEval(VfpaKernel k, PetscReal d) { return SumImages(GaussianBase, k, d); }
static PetscReal TophatEval(VfpaKernel k, PetscReal d) { return d <= k->width ? 1.0 : 0.0; }

static PetscErrorCode KernelCreateTrig(VfpaKernel k)
{
  PetscFunctionBeginUser;
  k->eval          = TrigEval;
  k->cosine_series = PETSC_TRUE;
  PetscFunctionReturn(0);
}

static PetscErrorCode KernelCreateAlgebraic(VfpaKernel k)
{
  PetscFunctionBeginUser;
  k->eval = AlgebraicEval;
  PetscFunctionReturn(0);
}

static PetscErrorCode KernelCreateGaussian(VfpaKernel k)
{
  PetscFunctionBeginUser;
  k->eval = GaussianEval;
  PetscFunctionReturn(0);
}

static PetscErrorCode KernelCreateTophat(VfpaKernel k)
{
  PetscFunctionBeginUser;
  k->eval = TophatEval;
  PetscFunctionReturn(0);
}

static PetscErrorCode KernelListDestroy(void)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFunctionListDestroy(&KernelList));
  PetscFunctionReturn(0);
}

static PetscErrorCode KernelRegisterAll(void)
{
  PetscFunctionBeginUser;
  if (KernelList) PetscFunctionReturn(0);
  PetscCall(PetscFunctionListAdd(&KernelList, "trig", KernelCreateTrig));
  PetscCall(PetscFunctionListAdd(&KernelList, "algebraic", KernelCreateAlgebraic));
  PetscCall(PetscFunctionListAdd(&KernelList, "gaussian", KernelCreateGaussian));
  PetscCall(PetscFunctionListAdd(&KernelList, "tophat", KernelCreateTophat));
  PetscCall(PetscRegisterFinalize(KernelListDestroy));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaKernelCreate(MPI_Comm comm, VfpaKernel *kernel)
{
  VfpaKernel k;

  PetscFunctionBeginUser;
  PetscCall(KernelRegisterAll());
  PetscCall(PetscNew(&k));
  k->comm  = comm;
  k->power = 80;
  k->width = 0.1;
  k->npsi  = 2;
  k->psi[0] = 1.0;
  k->psi[1] = 0.5;
  PetscCall(PetscStrncpy(k->type, "trig", sizeof(k->type)));
  *kernel = k;
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaKernelSetMethod(VfpaKernel k, VfpaAverageMethod method)
{
  PetscFunctionBeginUser;
  k->method = method;
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaKernelSetFromOptions(VfpaKernel k, VfpaParams params)
{
  char     method[64];
  PetscInt  npsi = VFPA_KERNEL_MAX_PSI, imethod;
  PetscBool psi_set;
  PetscErrorCode (*create)(VfpaKernel) = NULL;

  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(method, VfpaAverageMethods[k->method], sizeof(method)));
  PetscOptionsBegin(k->comm, NULL, "vfpa communication kernel", "VfpaKernel");
  PetscCall(PetscOptionsFList("-kernel", "communication kernel phi", "VfpaKernel", KernelList, k->type, k->type, sizeof(k->type), NULL));
  PetscCall(PetscOptionsRealArray("-kernel_psi", "trig: b0,b1,... with psi = sum_k b_k cos(2 pi k x/L) and phi = psi*psi (default 1,0.5)", "VfpaKernel", k->psi, &npsi, &psi_set));
  PetscCall(PetscOptionsReal("-kernel_power", "algebraic: p in phi = (1 + r^2)^(-p/2)", "VfpaKernel", k->power, &k->power, NULL));
  PetscCall(PetscOptionsReal("-kernel_width", "gaussian: standard deviation; tophat: radius", "VfpaKernel", k->width, &k->width, NULL));
  PetscCall(PetscOptionsString("-average_method", "nonlocal averages by cosine modes or by the quadrature sum via FFT (auto: modes for trig)", "VfpaKernel", method, method, sizeof(method), NULL));
  PetscOptionsEnd();
  if (psi_set) k->npsi = npsi;
  PetscCall(VfpaListFind(k->comm, KernelList, "-kernel", k->type, (void (**)(void))&create));
  PetscCall(VfpaChoiceFind(k->comm, VfpaAverageMethods, "-average_method", method, &imethod));
  k->method = (VfpaAverageMethod)imethod;
  PetscCall((*create)(k));

  PetscCheck(k->npsi >= 1, k->comm, PETSC_ERR_USER_INPUT, "-kernel_psi needs at least one coefficient b0");
  for (PetscInt m = 0; m < k->npsi; m++) PetscCheck(!PetscIsInfOrNanReal(k->psi[m]), k->comm, PETSC_ERR_USER_INPUT, "-kernel_psi coefficient b%" PetscInt_FMT " is not a finite number", m);
  PetscCheck(k->psi[0] > 0, k->comm, PETSC_ERR_USER_INPUT, "-kernel_psi: b0 = %g must be > 0 (the mean of phi = psi*psi is L^2 b0^2)", (double)k->psi[0]);
  PetscCall(VfpaCheckReal(k->comm, "-kernel_power", k->power, 1, PETSC_MAX_REAL, PETSC_TRUE, PETSC_FALSE));
  PetscCall(VfpaCheckReal(k->comm, "-kernel_width", k->width, 0, PETSC_MAX_REAL, PETSC_TRUE, PETSC_FALSE));
  PetscCheck(k->cosine_series || k->method != VFPA_AVERAGE_MODES, k->comm, PETSC_ERR_USER_INPUT, "-average_method modes needs a kernel that is a finite cosine series (-kernel trig); -kernel %s needs quadrature", k->type);
  if (k->method == VFPA_AVERAGE_AUTO) k->method = k->cosine_series ? VFPA_AVERAGE_MODES : VFPA_AVERAGE_QUADRATURE;

  PetscCall(VfpaParamsAddString(params, "kernel", k->type));
  PetscCall(VfpaParamsAddReals(params, "kernel_psi", k->npsi, k->psi));
  PetscCall(VfpaParamsAddReal(params, "kernel_power", k->power));
  PetscCall(VfpaParamsAddReal(params, "kernel_width", k->width));
  PetscCall(VfpaParamsAddString(params, "average_method", VfpaAverageMethods[k->method]));
  PetscFunctionReturn(0);
}

/* phi = psi*psi must be >= 0 everywhere, not only on the grid: sample it finely over [0, L/2]. */
static PetscErrorCode CheckTrigNonnegative(VfpaKernel k)
{
  PetscInt  n    = 64 * k->npsi + 64;
  PetscReal vmin = PETSC_MAX_REAL, dmin = 0, scale = TrigCoefficient(k, 0);

  PetscFunctionBeginUser;
  for (PetscInt m = 0; m <= n; m++) {
    PetscReal d = 0.5 * k->grid->L * m / n, phi = TrigEval(k, d);
    if (phi < vmin) {
      vmin = phi;
      dmin = d;
    }
  }
  PetscCheck(vmin >= -1e-14 * scale, k->comm, PETSC_ERR_USER_INPUT, "-kernel_psi gives phi = psi*psi = %g < 0 at distance %g: phi must be >= 0 (b0^2 >= sum_k b_k^2/2 is enough)", (double)vmin, (double)dmin);
  PetscFunctionReturn(0);
}

/* The kernel on the grid offsets, its discrete integral and the offsets above round-off. */
static PetscErrorCode SetUpTable(VfpaKernel k)
{
  VfpaGrid  g    = k->grid;
  PetscReal vmax = 0, vmin = PETSC_MAX_REAL;

  PetscFunctionBeginUser;
  if (k->cosine_series) PetscCall(CheckTrigNonnegative(k));
  PetscCall(PetscMalloc1(g->nx, &k->table));
  for (PetscInt m = 0; m < g->nx; m++) {
    k->table[m] = k->eval(k, PetscMin(m, g->nx - m) * g->dx);
    vmax        = PetscMax(vmax, k->table[m]);
    vmin        = PetscMin(vmin, k->table[m]);
  }
  PetscCheck(k->cosine_series || vmin >= 0, k->comm, PETSC_ERR_USER_INPUT, "-kernel %s decays too slowly to periodise over L = %g: increase -kernel_power", k->type, (double)g->L);
  PetscCheck(vmax > 0, k->comm, PETSC_ERR_USER_INPUT, "-kernel %s vanishes on this grid: increase -kernel_width above dx = %g", k->type, (double)g->dx);
  k->integral = 0;
  for (PetscInt m = 0; m < g->nx; m++) k->integral += k->table[m] * g->dx;
  PetscFunctionReturn(0);
}

/* Up to this nx, where nx is even, the quadrature path transforms each profile as a complex one of
   half its length (SetUpHalfLength) instead of with FFTW's real transforms (FFTW 3.3.10,
   FFTW_ESTIMATE plans). Measured inside runs (input/relax1d.opts, gaussian kernel, 40 steps at
   nx x 64, 4 or 3 interleaved pairs), per average of two profiles: 21.0-23.2 against 27.0-27.8 us at
   nx = 4096 with the real transforms; 4.8-5.1 against 4.7-5.0 us at 1024 and 10.0-10.1 against
   9.8-10.7 us at 2048 with the one complex transform of full length for both profiles used there
   before. In the warm loop of bench average (3 runs): 17.3-17.4 against 20.1-20.6 us at 4096,
   3.9-4.0 against 3.4-3.6 us at 1024, 51-53 against 51 us at 8192, but 213-219 against 118-128 us at
   16384. */
#define VFPA_FFT_HALF_MAX_NX 4096

/* The half-length transform of the quadrature path, for even nx = 2M. A real profile a is the
   complex one z_m = a_2m + i a_2m+1 of length M, with transform Z. The spectra of its even and odd
   samples are E_k = (Z_k + conj Z_M-k) / 2 and O_k = (Z_k - conj Z_M-k) / 2i, so that
   A_k = E_k + w^k O_k and A_k+M = E_k - w^k O_k (w = e^(-2 pi i / nx)); the average c has C = K A
   (K the kernel's coefficients, real and even), and its even and odd samples, as the complex profile
   c_2m + i c_2m+1, come back by the inverse transform of length M of
   Z'_k = (C_k + C_k+M) + i w^-k (C_k - C_k+M). Together:
   Z'_k = alpha_k Z_k + i beta_k conj Z_M-k with the real weights alpha_k = P_k - Q_k sin(2 pi k / nx)
   and beta_k = Q_k cos(2 pi k / nx), P_k = K_k + K_k+M, Q_k = K_k - K_k+M (HalfLengthCombine). */
static PetscErrorCode SetUpHalfLength(VfpaKernel k)
{
  const PetscInt n = k->grid->nx, M = n / 2;

  PetscFunctionBeginUser;
  k->half          = fftw_alloc_complex(M);
  k->half_spectrum = fftw_alloc_complex(M);
  PetscCheck(k->half && k->half_spectrum, PETSC_COMM_SELF, PETSC_ERR_MEM, "cannot allocate the FFT buffers for nx = %" PetscInt_FMT, n);
  k->half_forward  = fftw_plan_dft_1d((int)M, k->half, k->half_spectrum, FFTW_FORWARD, FFTW_ESTIMATE);
  k->half_backward = fftw_plan_dft_1d((int)M, k->half_spectrum, k->half, FFTW_BACKWARD, FFTW_ESTIMATE);
  PetscCheck(k->half_forward && k->half_backward, PETSC_COMM_SELF, PETSC_ERR_LIB, "FFTW could not plan transforms of length %" PetscInt_FMT, M);
  PetscCall(PetscMalloc2(M, &k->half_alpha, M, &k->half_beta));
  for (PetscInt m = 0; m < M; m++) {
    const PetscReal P = k->kernel_modes[m] + k->kernel_modes[m + M], Q = k->kernel_modes[m] - k->kernel_modes[m + M], theta = 2 * PETSC_PI * m / n;
    k->half_alpha[m] = P - Q * PetscSinReal(theta);
    k->half_beta[m]  = Q * PetscCosReal(theta);
  }
  PetscFunctionReturn(0);
}

/* FFTW plans (FFTW_ESTIMATE: the same plan, hence bitwise the same averages, in every run) and the
   kernel's Fourier coefficients, scaled by dx / nx so that one forward and one backward transform give
   the quadrature sum. The table is even (table[m] = table[nx - m]), so they are real: their real parts
   are kept. The forward real transform gives them; the averages take the half-length transforms, or
   for odd nx and nx above VFPA_FFT_HALF_MAX_NX the real ones both ways. */
static PetscErrorCode SetUpFFT(VfpaKernel k)
{
  const PetscInt n = k->grid->nx, nc = n / 2 + 1;

  PetscFunctionBeginUser;
  k->fft_real     = fftw_alloc_real(n);
  k->fft_spectrum = fftw_alloc_complex(nc);
  k->kernel_modes = fftw_alloc_real(n);
  PetscCheck(k->fft_real && k->fft_spectrum && k->kernel_modes, PETSC_COMM_SELF, PETSC_ERR_MEM, "cannot allocate the FFT buffers for nx = %" PetscInt_FMT, n);
  k->forward = fftw_plan_dft_r2c_1d((int)n, k->fft_real, k->fft_spectrum, FFTW_ESTIMATE);
  PetscCheck(k->forward, PETSC_COMM_SELF, PETSC_ERR_LIB, "FFTW could not plan transforms of length %" PetscInt_FMT, n);
  for (PetscInt m = 0; m < n; m++) k->fft_real[m] = k->table[m] * k->grid->dx / n;
  fftw_execute(k->forward);
  for (PetscInt m = 0; m < nc; m++) k->kernel_modes[m] = k->kernel_modes[(n - m) % n] = k->fft_spectrum[m][0];
  if (n % 2 == 0 && n <= VFPA_FFT_HALF_MAX_NX) PetscCall(SetUpHalfLength(k));
  else {
    k->backward = fftw_plan_dft_c2r_1d((int)n, k->fft_spectrum, k->fft_real, FFTW_ESTIMATE);
    PetscCheck(k->backward, PETSC_COMM_SELF, PETSC_ERR_LIB, "FFTW could not plan transforms of length %" PetscInt_FMT, n);
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode SetUpModes(VfpaKernel k)
{
  VfpaGrid g = k->grid;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(k->npsi * g->gxm, &k->cosx, k->npsi * g->gxm, &k->sinx));
  for (PetscInt m = 0; m < k->npsi; m++)
    for (PetscInt i = 0; i < g->gxm; i++) {
      PetscReal theta             = 2 * PETSC_PI * m * g->x[g->gxs + i] / g->L;
      k->cosx[m * g->gxm + i] = PetscCosReal(theta);
      k->sinx[m * g->gxm + i] = PetscSinReal(theta);
    }
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaKernelSetUp(VfpaKernel k, VfpaGrid grid)
{
  PetscFunctionBeginUser;
  k->grid = grid;
  PetscCall(SetUpTable(k));
  if (k->method == VFPA_AVERAGE_MODES) PetscCall(SetUpModes(k));
  else PetscCall(SetUpFFT(k));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaKernelView(VfpaKernel k, PetscViewer viewer)
{
  PetscFunctionBeginUser;
  PetscCall(PetscViewerASCIIPrintf(viewer, "kernel: %s", k->type));
  if (k->cosine_series) {
    PetscCall(PetscViewerASCIIPrintf(viewer, ", psi ="));
    for (PetscInt m = 0; m < k->npsi; m++) PetscCall(PetscViewerASCIIPrintf(viewer, " %g", (double)k->psi[m]));
  } else if (k->eval == AlgebraicEval) PetscCall(PetscViewerASCIIPrintf(viewer, ", power %g", (double)k->power));
  else PetscCall(PetscViewerASCIIPrintf(viewer, ", width %g", (double)k->width));
  PetscCall(PetscViewerASCIIPrintf(viewer, "; discrete integral %g; averages by %s\n", (double)k->integral, VfpaAverageMethods[k->method]));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaKernelDestroy(VfpaKernel *kernel)
{
  PetscFunctionBeginUser;
  if (!*kernel) PetscFunctionReturn(0);
  PetscCall(PetscFree((*kernel)->table));
  PetscCall(PetscFree2((*kernel)->cosx, (*kernel)->sinx));
  if ((*kernel)->forward) fftw_destroy_plan((*kernel)->forward);
  if ((*kernel)->backward) fftw_destroy_plan((*kernel)->backward);
  if ((*kernel)->half_forward) fftw_destroy_plan((*kernel)->half_forward);
  if ((*kernel)->half_backward) fftw_destroy_plan((*kernel)->half_backward);
  fftw_free((*kernel)->fft_real);
  fftw_free((*kernel)->fft_spectrum);
  fftw_free((*kernel)->kernel_modes);
  fftw_free((*kernel)->half);
  fftw_free((*kernel)->half_spectrum);
  PetscCall(PetscFree2((*kernel)->half_alpha, (*kernel)->half_beta));
  PetscCall(PetscFree((*kernel)->work));
  PetscCall(PetscFree(*kernel));
  PetscFunctionReturn(0);
}

/* Modes path: C_m = sum_j cos(k_m x_j) q_j dx and S_m likewise (2K numbers per quantity, one
   allreduce), then (q)_phi(x_i) = sum_m a_m [cos(k_m x_i) C_m + sin(k_m x_i) S_m]. */
static PetscErrorCode ConvolveModes(VfpaKernel k, PetscInt nq, const PetscReal *const q[], PetscReal *const out[])
{
  VfpaGrid       g = k->grid;
  const PetscInt K = k->npsi, per = 2 * K, owned = g->xs - g->gxs;

  PetscFunctionBeginUser;
  for (PetscInt a = 0; a < nq; a++) {
    PetscReal *C = k->work + a * per, *S = C + K;
    for (PetscInt m = 0; m < K; m++) {
      C[m] = VfpaProfileDot(g->xm, k->cosx + m * g->gxm + owned, q[a] + g->xs) * g->dx;
      S[m] = VfpaProfileDot(g->xm, k->sinx + m * g->gxm + owned, q[a] + g->xs) * g->dx;
    }
  }
  PetscCall(VfpaGridSumOverRow(g, nq * per, k->work));
  for (PetscInt a = 0; a < nq; a++) {
    const PetscReal *C = k->work + a * per, *S = C + K;
    PetscReal *restrict o = out[a] + g->gxs;
    PetscCall(PetscArrayzero(o, g->gxm));
    for (PetscInt m = 0; m < K; m++) {
      const PetscReal          ac = TrigCoefficient(k, m) * C[m], as = TrigCoefficient(k, m) * S[m];
      const PetscReal *restrict cs = k->cosx + m * g->gxm, *restrict sn = k->sinx + m * g->gxm;
      for (PetscInt i = 0; i < g->gxm; i++) o[i] += ac * cs[i] + as * sn[i];
    }
  }
  PetscFunctionReturn(0);
}

/* spectrum[m] *= kernel[m], m < n, for n complex coefficients and real kernel ones. */
static void MultiplySpectrum(PetscInt n, const double *restrict kernel, fftw_complex *restrict spectrum)
{
  for (PetscInt m = 0; m < n; m++) {
    spectrum[m][0] *= kernel[m];
    spectrum[m][1] *= kernel[m];
  }
}

/* out on the ghosted x range from the full average p: the owned cells, and the ghosts wrapped around
   the torus. */
static void CopyAverage(VfpaGrid g, const double *p, PetscReal *out)
{
  const PetscInt n = g->nx, xe = g->xs + g->xm;

  for (PetscInt i = g->gxs; i < g->xs; i++) out[i] = p[(i + n) % n];
  for (PetscInt i = g->xs; i < xe; i++) out[i] = p[i];
  for (PetscInt i = xe; i < g->gxs + g->gxm; i++) out[i] = p[i % n];
}

/* Z_k = alpha_k Z_k + i beta_k conj Z_M-k for k < M (indices mod M; see SetUpHalfLength), in place:
   k and M - k together. */
static void HalfLengthCombine(PetscInt M, const double *restrict alpha, const double *restrict beta, fftw_complex *restrict Z)
{
  for (PetscInt k = 0; k <= M / 2; k++) {
    const PetscInt j  = (M - k) % M;
    const double   zr = Z[k][0], zi = Z[k][1], yr = Z[j][0], yi = Z[j][1];
    Z[k][0] = alpha[k] * zr + beta[k] * yi;
    Z[k][1] = alpha[k] * zi + beta[k] * yr;
    Z[j][0] = alpha[j] * yr + beta[j] * zi;
    Z[j][1] = alpha[j] * yi + beta[j] * zr;
  }
}

/* One full profile p averaged by complex transforms of half its length (even nx, see SetUpHalfLength). */
static PetscErrorCode ConvolveHalfLength(VfpaKernel k, const PetscReal *p, PetscReal *out)
{
  PetscFunctionBeginUser;
  PetscCall(PetscArraycpy((double *)k->half, p, k->grid->nx));
  fftw_execute(k->half_forward);
  HalfLengthCombine(k->grid->nx / 2, k->half_alpha, k->half_beta, k->half_spectrum);
  fftw_execute(k->half_backward);
  CopyAverage(k->grid, (const double *)k->half, out);
  PetscFunctionReturn(0);
}

/* One full profile p averaged with a real transform each way. */
static PetscErrorCode ConvolveReal(VfpaKernel k, const PetscReal *p, PetscReal *out)
{
  PetscFunctionBeginUser;
  PetscCall(PetscArraycpy(k->fft_real, p, k->grid->nx));
  fftw_execute(k->forward);
  MultiplySpectrum(k->grid->nx / 2 + 1, k->kernel_modes, k->fft_spectrum);
  fftw_execute(k->backward);
  CopyAverage(k->grid, k->fft_real, out);
  PetscFunctionReturn(0);
}

/* Profile b over all of x: q[b] itself where this rank holds all of x, otherwise its allreduced copy
   in the work array. */
static const PetscReal *FullProfile(VfpaKernel k, const PetscReal *const q[], PetscInt b)
{
  return k->grid->xm < k->grid->nx ? k->work + b * k->grid->nx : q[b];
}

/* Quadrature path: allreduce the owned part of each profile into a full-length one (unless one
   rank holds all of x), then (q)_phi(x_i) = sum_m phi_m q_{(i-m) mod nx} dx, a circular
   convolution: the product of the two spectra, transformed back. Cost per profile: two complex FFTs
   of length nx/2 (even nx up to VFPA_FFT_HALF_MAX_NX), otherwise two real FFTs of length nx. */
static PetscErrorCode ConvolveQuadrature(VfpaKernel k, PetscInt nq, const PetscReal *const q[], PetscReal *const out[])
{
  VfpaGrid       g = k->grid;
  const PetscInt n = g->nx;

  PetscFunctionBeginUser;
  if (g->xm < n) {
    PetscCall(PetscArrayzero(k->work, nq * n));
    for (PetscInt b = 0; b < nq; b++)
      for (PetscInt i = g->xs; i < g->xs + g->xm; i++) k->work[b * n + i] = q[b][i];
    PetscCall(VfpaGridSumOverRow(g, nq * n, k->work));
  }
  for (PetscInt b = 0; b < nq; b++) {
    if (k->half) PetscCall(ConvolveHalfLength(k, FullProfile(k, q, b), out[b]));
    else PetscCall(ConvolveReal(k, FullProfile(k, q, b), out[b]));
  }
  PetscFunctionReturn(0);
}

/* out[a] = (q[a])_phi on the ghosted x range, from the owned part of each ghosted profile q[a]. */
PetscErrorCode VfpaKernelConvolve(VfpaKernel k, PetscInt nq, const PetscReal *const q[], PetscReal *const out[])
{
  PetscInt need = nq * (k->method == VFPA_AVERAGE_MODES ? 2 * k->npsi : k->grid->nx);

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(VFPA_Averaging, 0, 0, 0, 0));
  if (!k->work || need > k->nwork) {
    PetscCall(PetscFree(k->work));
    PetscCall(PetscMalloc1(need, &k->work));
    k->nwork = need;
  }
  if (k->method == VFPA_AVERAGE_MODES) PetscCall(ConvolveModes(k, nq, q, out));
  else PetscCall(ConvolveQuadrature(k, nq, q, out));
  PetscCall(PetscLogEventEnd(VFPA_Averaging, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
