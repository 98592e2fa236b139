#ifndef VFPA_INIT_H
#define VFPA_INIT_H

#include "vfpa_model.h"

#define VFPA_MAX_FLOCKS 16

/* Initial data (-init NAME), registered by name. Every profile is built from local Maxwellians
   normalised on the discrete velocity grid, so rho(x) is exactly the prescribed density:
   - maxwellian: rho0 (1 + a cos), u0 + a cos, T0 (1 + a cos) with one amplitude and mode each;
   - bimodal:    two Maxwellians at u(x) +- the bimodal velocity, same density/temperature profiles;
   - flocks:     Gaussian bumps in x with their own mass, velocity and temperature over a background;
   - tophat_v:   rho(x) uniform in |v - u(x)| <= width (a strongly non-equilibrium start);
   - file:       f (and s for the s-model) from an HDF5 snapshot of an earlier run;
   - mms:        testing only, the manufactured solution of -mms at t = 0.
   For the s-model the strength row is then set from the initial weight w0 (VfpaProtocol). */
typedef struct _p_VfpaInit *VfpaInit;

struct _p_VfpaInit {
  MPI_Comm  comm;
  char      type[64];
  PetscErrorCode (*fill)(VfpaInit, VfpaModel, Vec);
  PetscReal density, velocity, temperature;
  PetscReal density_amp, velocity_amp, temperature_amp;
  PetscInt  density_mode, velocity_mode, temperature_mode;
  PetscReal bimodal_velocity, bimodal_fraction;
  PetscReal tophat_width;
  PetscInt  nflocks;
  PetscReal flock_center[VFPA_MAX_FLOCKS], flock_width[VFPA_MAX_FLOCKS], flock_mass[VFPA_MAX_FLOCKS];
  PetscReal flock_velocity[VFPA_MAX_FLOCKS], flock_temperature[VFPA_MAX_FLOCKS];
  PetscReal background;
  char      file[PETSC_MAX_PATH_LEN];
};

PETSC_EXTERN PetscErrorCode VfpaInitCreate(MPI_Comm, VfpaInit *);
PETSC_EXTERN PetscErrorCode VfpaInitSetDefaultTemperature(VfpaInit, PetscReal);
PETSC_EXTERN PetscErrorCode VfpaInitSetFromOptions(VfpaInit, VfpaParams);
PETSC_EXTERN PetscErrorCode VfpaInitView(VfpaInit, PetscViewer);
PETSC_EXTERN PetscErrorCode VfpaInitDestroy(VfpaInit *);
PETSC_EXTERN PetscErrorCode VfpaInitApply(VfpaInit, VfpaModel, Vec);

#endif
