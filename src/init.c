/* Initial data. */
#include <math.h>
#include "vfpa_init.h"
#include "vfpa_h5.h"
#include "vfpa_sys.h"

static PetscFunctionList InitList = NULL;

/* rho(x), u(x), T(x) of the maxwellian-family profiles at x. */
static void Profiles(VfpaInit init, PetscReal L, PetscReal x, PetscReal *rho, PetscReal *u, PetscReal *T)
{
  const PetscReal k = 2 * PETSC_PI / L;
  *rho = init->density * (1 + init->density_amp * PetscCosReal(k * init->density_mode * x));
  *u   = init->velocity + init->velocity_amp * PetscCosReal(k * init->velocity_mode * x);
  *T   = init->temperature * (1 + init->temperature_amp * PetscCosReal(k * init->temperature_mode * x));
}

/* Add rho times the Maxwellian of mean u and temperature T, normalised on the discrete velocity
   grid (sum_j M_j dv = 1), to the owned rows of column i. */
static void AddMaxwellian(VfpaGrid g, PetscScalar **f, PetscInt i, PetscReal rho, PetscReal u, PetscReal T)
{
  PetscReal Z = 0;
  for (PetscInt j = 0; j < g->nv; j++) Z += PetscExpReal(-0.5 * (g->v[j] - u) * (g->v[j] - u) / T) * g->dv;
  for (PetscInt j = g->vs; j < g->vs + g->vm; j++) f[j][i] += rho * PetscExpReal(-0.5 * (g->v[j] - u) * (g->v[j] - u) / T) / Z;
}

static PetscErrorCode FillMaxwellian(VfpaInit init, VfpaModel m, Vec U)
{
  VfpaGrid      g = m->grid;
  PetscScalar **f;

  PetscFunctionBeginUser;
  PetscCall(DMDAVecGetArray(g->da, U, &f));
  for (PetscInt i = g->xs; i < g->xs + g->xm; i++) {
    PetscReal rho, u, T;
    Profiles(init, g->L, g->x[i], &rho, &u, &T);
    AddMaxwellian(g, f, i, rho, u, T);
  }
  PetscCall(DMDAVecRestoreArray(g->da, U, &f));
  PetscFunctionReturn(0);
}

static PetscErrorCode FillBimodal(VfpaInit init, VfpaModel m, Vec U)
{
  VfpaGrid      g = m->grid;
  PetscScalar **f;

  PetscFunctionBeginUser;
  PetscCall(DMDAVecGetArray(g->da, U, &f));
  for (PetscInt i = g->xs; i < g->xs + g->xm; i++) {
    PetscReal rho, u, T;
    Profiles(init, g->L, g->x[i], &rho, &u, &T);
    AddMaxwellian(g, f, i, rho * init->bimodal_fraction, u + init->bimodal_velocity, T);
    AddMaxwellian(g, f, i, rho * (1 - init->bimodal_fraction), u - init->bimodal_velocity, T);
  }
  PetscCall(DMDAVecRestoreArray(g->da, U, &f));
  PetscFunctionReturn(0);
}

static PetscErrorCode FillTophat(VfpaInit init, VfpaModel m, Vec U)
{
  VfpaGrid      g = m->grid;
  PetscScalar **f;

  PetscFunctionBeginUser;
  PetscCheck(init->tophat_width >= 0.5 * g->dv, g->comm, PETSC_ERR_USER_INPUT, "-init_tophat_width %g covers no velocity cell: make it at least dv/2 = %g", (double)init->tophat_width, (double)(0.5 * g->dv));
  PetscCall(DMDAVecGetArray(g->da, U, &f));
  for (PetscInt i = g->xs; i < g->xs + g->xm; i++) {
    PetscReal rho, u, T;
    PetscInt  count = 0;
    Profiles(init, g->L, g->x[i], &rho, &u, &T);
    for (PetscInt j = 0; j < g->nv; j++) count += PetscAbsReal(g->v[j] - u) <= init->tophat_width;
    for (PetscInt j = g->vs; j < g->vs + g->vm; j++) f[j][i] = PetscAbsReal(g->v[j] - u) <= init->tophat_width ? rho / (count * g->dv) : 0;
  }
  PetscCall(DMDAVecRestoreArray(g->da, U, &f));
  PetscFunctionReturn(0);
}

/* Periodic Gaussian bump of unit discrete mass centred at c with standard deviation w, at x_i. */
static PetscReal Bump(VfpaGrid g, PetscReal c, PetscReal w, PetscReal x)
{
  PetscReal total = 0;
  for (PetscInt k = 0; k < g->nx; k++) {
    PetscReal d = (k + 0.5) * g->dx - c;
    d -= g->L * round(d / g->L);
    total += PetscExpReal(-0.5 * d * d / (w * w)) * g->dx;
  }
  x -= c;
  x -= g->L * round(x / g->L);
  return PetscExpReal(-0.5 * x * x / (w * w)) / total;
}

static PetscErrorCode FillFlocks(VfpaInit init, VfpaModel m, Vec U)
{
  VfpaGrid      g = m->grid;
  PetscScalar **f;

  PetscFunctionBeginUser;
  PetscCheck(init->nflocks > 0, g->comm, PETSC_ERR_USER_INPUT, "-init flocks needs at least one flock: give -flock_center, -flock_width, -flock_mass, -flock_velocity and -flock_temperature");
  PetscCall(DMDAVecGetArray(g->da, U, &f));
  for (PetscInt i = g->xs; i < g->xs + g->xm; i++) {
    if (init->background > 0) AddMaxwellian(g, f, i, init->background, init->velocity, init->temperature);
    for (PetscInt b = 0; b < init->nflocks; b++) AddMaxwellian(g, f, i, init->flock_mass[b] * Bump(g, init->flock_center[b], init->flock_width[b], g->x[i]), init->flock_velocity[b], init->flock_temperature[b]);
  }
  PetscCall(DMDAVecRestoreArray(g->da, U, &f));
  PetscFunctionReturn(0);
}

/* The grid attributes of the snapshot must match this run's grid. */
static PetscErrorCode CheckFileGrid(VfpaInit init, VfpaGrid g, hid_t file)
{
  PetscInt  nx, nv;
  PetscReal L, vmax;

  PetscFunctionBeginUser;
  PetscCall(VfpaH5ReadAttributeInt(g->comm, file, init->file, "nx", &nx));
  PetscCall(VfpaH5ReadAttributeInt(g->comm, file, init->file, "nv", &nv));
  PetscCall(VfpaH5ReadAttributeReal(g->comm, file, init->file, "L", &L));
  PetscCall(VfpaH5ReadAttributeReal(g->comm, file, init->file, "vmax", &vmax));
  PetscCheck(nx == g->nx && nv == g->nv, g->comm, PETSC_ERR_USER_INPUT, "-init_file %s has a %" PetscInt_FMT " x %" PetscInt_FMT " grid but this run has -nx %" PetscInt_FMT " -nv %" PetscInt_FMT, init->file, nx, nv, g->nx, g->nv);
  PetscCheck(L == g->L && vmax == g->vmax, g->comm, PETSC_ERR_USER_INPUT, "-init_file %s has L = %g, vmax = %g but this run has -L %g -vmax %g", init->file, (double)L, (double)vmax, (double)g->L, (double)g->vmax);
  PetscFunctionReturn(0);
}

static PetscErrorCode FillFile(VfpaInit init, VfpaModel m, Vec U)
{
  VfpaGrid g = m->grid;
  hid_t    file;

  PetscFunctionBeginUser;
  PetscCheck(init->file[0], g->comm, PETSC_ERR_USER_INPUT, "-init file needs -init_file PATH (an HDF5 snapshot of an earlier run)");
  PetscCall(VfpaH5Open(g->comm, init->file, &file));
  PetscCall(CheckFileGrid(init, g, file));
  PetscCall(VfpaH5ReadPhaseSpace(g, file, "f", U));
  if (m->transported) {
    PetscReal *s;
    PetscCall(VfpaGridProfileCreate(g, &s));
    PetscCall(VfpaH5ReadProfile(g, file, "s", s));
    PetscCall(VfpaModelSetStrengthRow(m, U, s));
    PetscCall(VfpaGridProfileDestroy(g, &s));
  }
  PetscCall(VfpaH5Close(&file));
  PetscFunctionReturn(0);
}

/* Testing only: the manufactured solution at t = 0 (f and the strength row; see vfpa_mms.h). */
static PetscErrorCode FillMMS(VfpaInit init, VfpaModel m, Vec U)
{
  VfpaGrid      g = m->grid;
  PetscScalar **f;

  PetscFunctionBeginUser;
  (void)init;
  PetscCall(DMDAVecGetArray(g->da, U, &f));
  for (PetscInt i = g->xs; i < g->xs + g->xm; i++) {
    for (PetscInt j = g->vs; j < g->vs + g->vm; j++) f[j][i] = VfpaMMSDensity(m->mms, g->x[i], g->v[j], 0);
    if (g->owns_strength) f[g->nv][i] = VfpaMMSStrength(m->mms, g->x[i], 0);
  }
  PetscCall(DMDAVecRestoreArray(g->da, U, &f));
  PetscFunctionReturn(0);
}

static PetscErrorCode InitListDestroy(void)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFunctionListDestroy(&InitList));
  PetscFunctionReturn(0);
}

static PetscErrorCode InitRegisterAll(void)
{
  PetscFunctionBeginUser;
  if (InitList) PetscFunctionReturn(0);
  PetscCall(PetscFunctionListAdd(&InitList, "maxwellian", FillMaxwellian));
  PetscCall(PetscFunctionListAdd(&InitList, "bimodal", FillBimodal));
  PetscCall(PetscFunctionListAdd(&InitList, "flocks", FillFlocks));
  PetscCall(PetscFunctionListAdd(&InitList, "tophat_v", FillTophat));
  PetscCall(PetscFunctionListAdd(&InitList, "file", FillFile));
  PetscCall(PetscFunctionListAdd(&InitList, "mms", FillMMS));
  PetscCall(PetscRegisterFinalize(InitListDestroy));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaInitCreate(MPI_Comm comm, VfpaInit *init)
{
  VfpaInit in;

  PetscFunctionBeginUser;
  PetscCall(InitRegisterAll());
  PetscCall(PetscNew(&in));
  in->comm             = comm;
  in->density          = 1;
  in->temperature      = 1;
  in->density_mode     = 1;
  in->velocity_mode    = 1;
  in->temperature_mode = 1;
  in->bimodal_velocity = 1.5;
  in->bimodal_fraction = 0.5;
  in->tophat_width     = 1;
  in->background       = 1e-3;
  PetscCall(PetscStrncpy(in->type, "maxwellian", sizeof(in->type)));
  *init = in;
  PetscFunctionReturn(0);
}

/* The default base temperature (the run's sigma, so that -init maxwellian is the equilibrium). */
PetscErrorCode VfpaInitSetDefaultTemperature(VfpaInit init, PetscReal T)
{
  PetscFunctionBeginUser;
  init->temperature = T;
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadFlockOptions(VfpaInit init)
{
  PetscReal *arrays[5] = {init->flock_center, init->flock_width, init->flock_mass, init->flock_velocity, init->flock_temperature};
  const char *names[5] = {"-flock_center", "-flock_width", "-flock_mass", "-flock_velocity", "-flock_temperature"};
  const char *help[5]  = {"flocks: centres in [0, L)", "flocks: widths (standard deviation in x)", "flocks: masses", "flocks: mean velocities", "flocks: temperatures"};
  PetscInt    counts[5];
  PetscBool   set[5];

  PetscFunctionBeginUser;
  PetscOptionsBegin(init->comm, NULL, "vfpa initial flocks (-init flocks)", "VfpaInit");
  for (int a = 0; a < 5; a++) {
    counts[a] = VFPA_MAX_FLOCKS;
    PetscCall(PetscOptionsRealArray(names[a], help[a], "VfpaInit", arrays[a], &counts[a], &set[a]));
    if (!set[a]) counts[a] = 0;
  }
  PetscCall(PetscOptionsReal("-flock_background", "flocks: density of the uniform background at rest (temperature -init_temperature)", "VfpaInit", init->background, &init->background, NULL));
  PetscOptionsEnd();
  init->nflocks = counts[0];
  for (int a = 1; a < 5; a++) PetscCheck(counts[a] == init->nflocks, init->comm, PETSC_ERR_USER_INPUT, "%s has %" PetscInt_FMT " values but -flock_center has %" PetscInt_FMT ": give one value per flock", names[a], counts[a], init->nflocks);
  PetscFunctionReturn(0);
}

static PetscErrorCode CheckOptions(VfpaInit in)
{
  char name[64];

  PetscFunctionBeginUser;
  PetscCall(VfpaCheckReal(in->comm, "-init_density", in->density, 0, PETSC_MAX_REAL, PETSC_TRUE, PETSC_FALSE));
  PetscCall(VfpaCheckReal(in->comm, "-init_velocity", in->velocity, -PETSC_MAX_REAL, PETSC_MAX_REAL, PETSC_FALSE, PETSC_FALSE));
  PetscCall(VfpaCheckReal(in->comm, "-init_temperature", in->temperature, 0, PETSC_MAX_REAL, PETSC_TRUE, PETSC_FALSE));
  PetscCall(VfpaCheckReal(in->comm, "-init_density_amp", in->density_amp, -1, 1, PETSC_FALSE, PETSC_FALSE));
  PetscCall(VfpaCheckReal(in->comm, "-init_velocity_amp", in->velocity_amp, -PETSC_MAX_REAL, PETSC_MAX_REAL, PETSC_FALSE, PETSC_FALSE));
  PetscCall(VfpaCheckReal(in->comm, "-init_temperature_amp", in->temperature_amp, -1, 1, PETSC_TRUE, PETSC_TRUE));
  PetscCheck(in->density_mode >= 0 && in->velocity_mode >= 0 && in->temperature_mode >= 0, in->comm, PETSC_ERR_USER_INPUT, "the -init_*_mode numbers must be >= 0");
  PetscCall(VfpaCheckReal(in->comm, "-init_bimodal_velocity", in->bimodal_velocity, 0, PETSC_MAX_REAL, PETSC_FALSE, PETSC_FALSE));
  PetscCall(VfpaCheckReal(in->comm, "-init_bimodal_fraction", in->bimodal_fraction, 0, 1, PETSC_FALSE, PETSC_FALSE));
  PetscCall(VfpaCheckReal(in->comm, "-init_tophat_width", in->tophat_width, 0, PETSC_MAX_REAL, PETSC_TRUE, PETSC_FALSE));
  PetscCall(VfpaCheckReal(in->comm, "-flock_background", in->background, 0, PETSC_MAX_REAL, PETSC_FALSE, PETSC_FALSE));
  for (PetscInt b = 0; b < in->nflocks; b++) {
    PetscCall(PetscSNPrintf(name, sizeof(name), "-flock_center (flock %" PetscInt_FMT ")", b));
    PetscCall(VfpaCheckReal(in->comm, name, in->flock_center[b], -PETSC_MAX_REAL, PETSC_MAX_REAL, PETSC_FALSE, PETSC_FALSE));
    PetscCall(PetscSNPrintf(name, sizeof(name), "-flock_width (flock %" PetscInt_FMT ")", b));
    PetscCall(VfpaCheckReal(in->comm, name, in->flock_width[b], 0, PETSC_MAX_REAL, PETSC_TRUE, PETSC_FALSE));
    PetscCall(PetscSNPrintf(name, sizeof(name), "-flock_mass (flock %" PetscInt_FMT ")", b));
    PetscCall(VfpaCheckReal(in->comm, name, in->flock_mass[b], 0, PETSC_MAX_REAL, PETSC_FALSE, PETSC_FALSE));
    PetscCall(PetscSNPrintf(name, sizeof(name), "-flock_velocity (flock %" PetscInt_FMT ")", b));
    PetscCall(VfpaCheckReal(in->comm, name, in->flock_velocity[b], -PETSC_MAX_REAL, PETSC_MAX_REAL, PETSC_FALSE, PETSC_FALSE));
    PetscCall(PetscSNPrintf(name, sizeof(name), "-flock_temperature (flock %" PetscInt_FMT ")", b));
    PetscCall(VfpaCheckReal(in->comm, name, in->flock_temperature[b], 0, PETSC_MAX_REAL, PETSC_TRUE, PETSC_FALSE));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaInitSetFromOptions(VfpaInit in, VfpaParams params)
{
  PetscFunctionBeginUser;
  PetscOptionsBegin(in->comm, NULL, "vfpa initial data", "VfpaInit");
  PetscCall(PetscOptionsFList("-init", "initial data", "VfpaInit", InitList, in->type, in->type, sizeof(in->type), NULL));
  PetscCall(PetscOptionsReal("-init_density", "base density rho0 > 0", "VfpaInit", in->density, &in->density, NULL));
  PetscCall(PetscOptionsReal("-init_velocity", "base mean velocity u0", "VfpaInit", in->velocity, &in->velocity, NULL));
  PetscCall(PetscOptionsReal("-init_temperature", "base temperature T0 > 0 (default: -sigma)", "VfpaInit", in->temperature, &in->temperature, NULL));
  PetscCall(PetscOptionsReal("-init_density_amp", "density perturbation: rho = rho0 (1 + amp cos(2 pi mode x/L)), |amp| <= 1", "VfpaInit", in->density_amp, &in->density_amp, NULL));
  PetscCall(PetscOptionsInt("-init_density_mode", "density perturbation mode number", "VfpaInit", in->density_mode, &in->density_mode, NULL));
  PetscCall(PetscOptionsReal("-init_velocity_amp", "velocity perturbation: u = u0 + amp cos(2 pi mode x/L)", "VfpaInit", in->velocity_amp, &in->velocity_amp, NULL));
  PetscCall(PetscOptionsInt("-init_velocity_mode", "velocity perturbation mode number", "VfpaInit", in->velocity_mode, &in->velocity_mode, NULL));
  PetscCall(PetscOptionsReal("-init_temperature_amp", "temperature perturbation: T = T0 (1 + amp cos(2 pi mode x/L)), |amp| < 1", "VfpaInit", in->temperature_amp, &in->temperature_amp, NULL));
  PetscCall(PetscOptionsInt("-init_temperature_mode", "temperature perturbation mode number", "VfpaInit", in->temperature_mode, &in->temperature_mode, NULL));
  PetscCall(PetscOptionsReal("-init_bimodal_velocity", "bimodal: the two peaks sit at u(x) +- this velocity", "VfpaInit", in->bimodal_velocity, &in->bimodal_velocity, NULL));
  PetscCall(PetscOptionsReal("-init_bimodal_fraction", "bimodal: mass fraction of the peak at u(x) + velocity, in [0, 1]", "VfpaInit", in->bimodal_fraction, &in->bimodal_fraction, NULL));
  PetscCall(PetscOptionsReal("-init_tophat_width", "tophat_v: half-width of the velocity top hat around u(x)", "VfpaInit", in->tophat_width, &in->tophat_width, NULL));
  PetscCall(PetscOptionsString("-init_file", "file: HDF5 snapshot of an earlier run with the same grid", "VfpaInit", in->file, in->file, sizeof(in->file), NULL));
  PetscOptionsEnd();
  PetscCall(ReadFlockOptions(in));
  PetscCall(VfpaListFind(in->comm, InitList, "-init", in->type, (void (**)(void))&in->fill));
  PetscCall(CheckOptions(in));

  PetscCall(VfpaParamsAddString(params, "init", in->type));
  PetscCall(VfpaParamsAddReal(params, "init_density", in->density));
  PetscCall(VfpaParamsAddReal(params, "init_velocity", in->velocity));
  PetscCall(VfpaParamsAddReal(params, "init_temperature", in->temperature));
  PetscCall(VfpaParamsAddReal(params, "init_density_amp", in->density_amp));
  PetscCall(VfpaParamsAddInt(params, "init_density_mode", in->density_mode));
  PetscCall(VfpaParamsAddReal(params, "init_velocity_amp", in->velocity_amp));
  PetscCall(VfpaParamsAddInt(params, "init_velocity_mode", in->velocity_mode));
  PetscCall(VfpaParamsAddReal(params, "init_temperature_amp", in->temperature_amp));
  PetscCall(VfpaParamsAddInt(params, "init_temperature_mode", in->temperature_mode));
  PetscCall(VfpaParamsAddReal(params, "init_bimodal_velocity", in->bimodal_velocity));
  PetscCall(VfpaParamsAddReal(params, "init_bimodal_fraction", in->bimodal_fraction));
  PetscCall(VfpaParamsAddReal(params, "init_tophat_width", in->tophat_width));
  PetscCall(VfpaParamsAddReals(params, "flock_center", in->nflocks, in->flock_center));
  PetscCall(VfpaParamsAddReals(params, "flock_width", in->nflocks, in->flock_width));
  PetscCall(VfpaParamsAddReals(params, "flock_mass", in->nflocks, in->flock_mass));
  PetscCall(VfpaParamsAddReals(params, "flock_velocity", in->nflocks, in->flock_velocity));
  PetscCall(VfpaParamsAddReals(params, "flock_temperature", in->nflocks, in->flock_temperature));
  PetscCall(VfpaParamsAddReal(params, "flock_background", in->background));
  PetscCall(VfpaParamsAddString(params, "init_file", in->file));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaInitView(VfpaInit in, PetscViewer viewer)
{
  PetscFunctionBeginUser;
  PetscCall(PetscViewerASCIIPrintf(viewer, "initial data: %s", in->type));
  if (in->fill == FillFile) PetscCall(PetscViewerASCIIPrintf(viewer, " from %s", in->file));
  else if (in->fill == FillFlocks) PetscCall(PetscViewerASCIIPrintf(viewer, ", %" PetscInt_FMT " flocks over a background of density %g", in->nflocks, (double)in->background));
  else PetscCall(PetscViewerASCIIPrintf(viewer, ", rho0 %g, u0 %g, T0 %g", (double)in->density, (double)in->velocity, (double)in->temperature));
  PetscCall(PetscViewerASCIIPrintf(viewer, "\n"));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaInitDestroy(VfpaInit *init)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(*init));
  PetscFunctionReturn(0);
}

/* f (and s) must be finite and non-negative, with positive mass. */
static PetscErrorCode CheckState(VfpaInit init, VfpaModel m, Vec U)
{
  const PetscScalar *u;
  PetscInt           n;
  PetscReal          local[2] = {0, 0}, global[2], mass;

  PetscFunctionBeginUser;
  PetscCall(VecGetLocalSize(U, &n));
  PetscCall(VecGetArrayRead(U, &u));
  for (PetscInt k = 0; k < n; k++) {
    if (PetscIsInfOrNanReal(u[k])) local[0] += 1;
    else if (u[k] < 0) local[1] += 1;
  }
  PetscCall(VecRestoreArrayRead(U, &u));
  PetscCall(MPIU_Allreduce(local, global, 2, MPIU_REAL, MPIU_SUM, init->comm));
  PetscCheck(global[0] == 0, init->comm, PETSC_ERR_USER_INPUT, "-init %s produced %g non-finite values: check the initial-data options%s", init->type, (double)global[0], init->fill == FillFile ? " and -init_file" : "");
  PetscCheck(global[1] == 0, init->comm, PETSC_ERR_USER_INPUT, "-init %s produced %g negative values of f or s: initial data must be >= 0", init->type, (double)global[1]);
  PetscCall(VfpaModelComputeMoments(m, U));
  PetscCall(VfpaMomentsTotals(m->moments, &mass, NULL));
  PetscCheck(mass > 0, init->comm, PETSC_ERR_USER_INPUT, "-init %s has zero total mass", init->type);
  PetscFunctionReturn(0);
}

/* Every mean velocity of the initial data must lie inside the velocity box. */
static PetscErrorCode CheckVelocities(VfpaInit in, VfpaGrid g)
{
  PetscReal umax = PetscAbsReal(in->velocity) + PetscAbsReal(in->velocity_amp);

  PetscFunctionBeginUser;
  if (in->fill == FillBimodal) umax += in->bimodal_velocity;
  PetscCheck(umax < g->vmax, in->comm, PETSC_ERR_USER_INPUT, "-init %s puts mean velocities up to %g outside the velocity box: raise -vmax (now %g) or lower -init_velocity, -init_velocity_amp%s", in->type, (double)umax, (double)g->vmax, in->fill == FillBimodal ? ", -init_bimodal_velocity" : "");
  for (PetscInt b = 0; b < in->nflocks && in->fill == FillFlocks; b++)
    PetscCheck(PetscAbsReal(in->flock_velocity[b]) < g->vmax, in->comm, PETSC_ERR_USER_INPUT, "-flock_velocity %g (flock %" PetscInt_FMT ") is outside the velocity box: raise -vmax (now %g)", (double)in->flock_velocity[b], b, (double)g->vmax);
  PetscFunctionReturn(0);
}

/* Fill U with the initial data; for the s-model also the strength row from the initial weight. */
PetscErrorCode VfpaInitApply(VfpaInit init, VfpaModel m, Vec U)
{
  PetscFunctionBeginUser;
  if (init->fill != FillFile) PetscCall(CheckVelocities(init, m->grid));
  PetscCall(VecZeroEntries(U));
  PetscCall((*init->fill)(init, m, U));
  if (m->transported && init->fill != FillFile && init->fill != FillMMS) {
    PetscReal *s;
    PetscCall(VfpaGridProfileCreate(m->grid, &s));
    PetscCall(VfpaModelComputeMoments(m, U));
    PetscCall(VfpaProtocolInitialStrength(m->protocol, m->moments, s));
    PetscCall(VfpaModelSetStrengthRow(m, U, s));
    PetscCall(VfpaGridProfileDestroy(m->grid, &s));
  }
  PetscCall(CheckState(init, m, U));
  PetscFunctionReturn(0);
}
