#ifndef VFPA_LOG_H
#define VFPA_LOG_H

#include <petscsys.h>

/* One event per phase, so that -log_view shows where the time goes. */
PETSC_EXTERN PetscLogEvent VFPA_Halo, VFPA_Transport, VFPA_FokkerPlanck, VFPA_Moments, VFPA_Averaging, VFPA_Diagnostics, VFPA_IO;

PETSC_EXTERN PetscErrorCode VfpaLogRegister(void);

#endif
