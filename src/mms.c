/* Testing only: the manufactured solution of the s-model (see vfpa_mms.h). */
#include "vfpa_mms.h"
#include "vfpa_sys.h"

#define MMS_RHO_AMP   0.3
#define MMS_U_AMP     0.2
#define MMS_SPEED     0.5
#define MMS_THETA     0.6
#define MMS_S_AMP     0.3
#define MMS_S_SPEED   0.3

PetscErrorCode VfpaMMSCreate(VfpaMMS *mms)
{
  PetscFunctionBeginUser;
  PetscCall(PetscNew(mms));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaMMSSetFromOptions(VfpaMMS mms, MPI_Comm comm, VfpaParams params)
{
  PetscFunctionBeginUser;
  PetscOptionsBegin(comm, NULL, "vfpa verification", "VfpaMMS");
  PetscCall(PetscOptionsBool("-mms", "testing only: add the source terms of the manufactured s-model solution (with -init mms)", "VfpaMMS", mms->active, &mms->active, NULL));
  PetscOptionsEnd();
  PetscCall(VfpaParamsAddInt(params, "mms", mms->active));
  PetscFunctionReturn(0);
}

/* The manufactured solution needs the s-model with Favre averaging, a trig kernel and -init mms. */
PetscErrorCode VfpaMMSSetUp(VfpaMMS mms, MPI_Comm comm, VfpaKernel kernel, PetscReal sigma, PetscReal L, const char average[], const char init[])
{
  PetscBool favre, trig, init_mms;

  PetscFunctionBeginUser;
  PetscCall(PetscStrcmp(init, "mms", &init_mms));
  PetscCheck(mms->active == init_mms, comm, PETSC_ERR_USER_INPUT, "-mms and -init mms go together (testing only)");
  if (!mms->active) PetscFunctionReturn(0);
  PetscCall(PetscStrcmp(average, "favre", &favre));
  PetscCall(PetscStrcmp(kernel->type, "trig", &trig));
  PetscCheck(favre && trig, comm, PETSC_ERR_USER_INPUT, "-mms needs -protocol smodel -smodel_average favre -kernel trig");
  mms->kernel = kernel;
  mms->sigma  = sigma;
  mms->L      = L;
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaMMSDestroy(VfpaMMS *mms)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(*mms));
  PetscFunctionReturn(0);
}

/* The factor by which convolution with the trig kernel multiplies the cosine mode k. */
static PetscReal ModeFactor(VfpaMMS mms, PetscInt k)
{
  const VfpaKernel kernel = mms->kernel;
  if (k >= kernel->npsi) return 0;
  return k == 0 ? mms->L * mms->L * kernel->psi[0] * kernel->psi[0] : 0.25 * mms->L * mms->L * kernel->psi[k] * kernel->psi[k];
}

/* f_e(x, v, t). */
PetscReal VfpaMMSDensity(VfpaMMS mms, PetscReal x, PetscReal v, PetscReal t)
{
  const PetscReal theta = 2 * PETSC_PI * (x - MMS_SPEED * t) / mms->L;
  const PetscReal rho = 1 + MMS_RHO_AMP * PetscSinReal(theta), u = MMS_U_AMP * PetscCosReal(theta);
  return rho * PetscExpReal(-0.5 * (v - u) * (v - u) / MMS_THETA) / PetscSqrtReal(2 * PETSC_PI * MMS_THETA);
}

/* s_e(x, t). */
PetscReal VfpaMMSStrength(VfpaMMS mms, PetscReal x, PetscReal t) { return 1 + MMS_S_AMP * PetscCosReal(2 * PETSC_PI * (x - MMS_S_SPEED * t) / mms->L); }

/* [u]_e = N / D and its x-derivative, with D = (rho_e)_phi, N = (rho_e u_e)_phi, where
   rho_e u_e = B cos(theta) + (A B / 2) sin(2 theta). */
static void FavreAverage(VfpaMMS mms, PetscReal theta, PetscReal *w, PetscReal *w_x)
{
  const PetscReal A = MMS_RHO_AMP, B = MMS_U_AMP, k = 2 * PETSC_PI / mms->L;
  const PetscReal a0 = ModeFactor(mms, 0), a1 = ModeFactor(mms, 1), a2 = ModeFactor(mms, 2);
  const PetscReal D = a0 + a1 * A * PetscSinReal(theta), D_x = a1 * A * PetscCosReal(theta) * k;
  const PetscReal N = a1 * B * PetscCosReal(theta) + a2 * 0.5 * A * B * PetscSinReal(2 * theta);
  const PetscReal N_x = -a1 * B * PetscSinReal(theta) * k + a2 * A * B * PetscCosReal(2 * theta) * k;
  *w   = N / D;
  *w_x = (N_x * D - N * D_x) / (D * D);
}

/* rhs += S_f on the owned f rows and S_s on the owned part of the strength row, at time t. */
PetscErrorCode VfpaMMSAddSource(VfpaMMS mms, VfpaGrid g, PetscReal t, PetscScalar **rhs)
{
  const PetscReal k = 2 * PETSC_PI / mms->L, A = MMS_RHO_AMP, B = MMS_U_AMP, T = MMS_THETA;

  PetscFunctionBeginUser;
  if (!mms->active) PetscFunctionReturn(0);
  for (PetscInt i = g->xs; i < g->xs + g->xm; i++) {
    const PetscReal x = g->x[i], theta = k * (x - MMS_SPEED * t), th_t = -k * MMS_SPEED;
    const PetscReal rho = 1 + A * PetscSinReal(theta), u = B * PetscCosReal(theta);
    const PetscReal rho_x = A * PetscCosReal(theta) * k, rho_t = A * PetscCosReal(theta) * th_t;
    const PetscReal u_x = -B * PetscSinReal(theta) * k, u_t = -B * PetscSinReal(theta) * th_t;
    const PetscReal s = VfpaMMSStrength(mms, x, t), phase = k * (x - MMS_S_SPEED * t);
    const PetscReal s_x = -MMS_S_AMP * PetscSinReal(phase) * k, s_t = MMS_S_AMP * PetscSinReal(phase) * k * MMS_S_SPEED;
    PetscReal       w, w_x;
    FavreAverage(mms, theta, &w, &w_x);
    for (PetscInt j = g->vs; j < g->vs + g->vm; j++) {
      const PetscReal v = g->v[j], z = (v - u) / T, G = PetscExpReal(-0.5 * (v - u) * (v - u) / T) / PetscSqrtReal(2 * PETSC_PI * T);
      const PetscReal f_t = rho_t * G + rho * G * z * u_t, f_x = rho_x * G + rho * G * z * u_x;
      const PetscReal f_v = -rho * G * z, f_vv = rho * G * (z * z - 1 / T);
      rhs[j][i] += f_t + v * f_x - s * (mms->sigma * f_vv + rho * G + (v - w) * f_v);
    }
    if (g->owns_strength) rhs[g->nv][i] += s_t + s_x * w + s * w_x;
  }
  PetscFunctionReturn(0);
}
