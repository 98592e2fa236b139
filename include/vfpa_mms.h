#ifndef VFPA_MMS_H
#define VFPA_MMS_H

#include "vfpa_kernel.h"

/* Testing only (-mms): a manufactured solution of the s-model with Favre averaging and a trig
   kernel, for measuring the order of accuracy of the whole scheme. With theta = 2 pi (x - 0.5 t)/L,
     rho_e = 1 + 0.3 sin(theta),  u_e = 0.2 cos(theta),  f_e = rho_e G(v - u_e),
     G = exp(-v^2 / (2 Theta)) / sqrt(2 pi Theta) with Theta = 0.6 (not sigma, so d_v J != 0),
     s_e = 1 + 0.3 cos(2 pi (x - 0.3 t)/L).
   The model adds S_f = d_t f_e + v d_x f_e - d_v(s_e [sigma d_v f_e + (v - [u]_e) f_e]) and
   S_s = d_t s_e + d_x(s_e [u]_e) at the cell centres, where [u]_e = (rho_e u_e)_phi / (rho_e)_phi is
   exact: the trig kernel scales the cosine mode k by L^2 b_0^2 (k = 0) or L^2 b_k^2 / 4. */
typedef struct _p_VfpaMMS *VfpaMMS;

struct _p_VfpaMMS {
  PetscBool  active;
  VfpaKernel kernel;
  PetscReal  sigma, L;
};

PETSC_EXTERN PetscErrorCode VfpaMMSCreate(VfpaMMS *);
PETSC_EXTERN PetscErrorCode VfpaMMSSetFromOptions(VfpaMMS, MPI_Comm, VfpaParams);
PETSC_EXTERN PetscErrorCode VfpaMMSSetUp(VfpaMMS, MPI_Comm, VfpaKernel, PetscReal, PetscReal, const char[], const char[]);
PETSC_EXTERN PetscErrorCode VfpaMMSDestroy(VfpaMMS *);
PETSC_EXTERN PetscReal      VfpaMMSDensity(VfpaMMS, PetscReal, PetscReal, PetscReal);
PETSC_EXTERN PetscReal      VfpaMMSStrength(VfpaMMS, PetscReal, PetscReal);
PETSC_EXTERN PetscErrorCode VfpaMMSAddSource(VfpaMMS, VfpaGrid, PetscReal, PetscScalar **);

#endif
