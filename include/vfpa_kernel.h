#ifndef VFPA_KERNEL_H
#define VFPA_KERNEL_H

#include <fftw3.h>
#include "vfpa_grid.h"

#define VFPA_KERNEL_MAX_PSI 64

/* Communication kernels phi >= 0, periodic in x (SPEC section 2), and the nonlocal average
   (q)_phi(x_i) = sum_j phi(x_i - x_j) q_j dx computed from allreduced moments, never by gathering f:
   - "modes": for a kernel that is a finite cosine series (trig), 2K+1 numbers per quantity;
   - "quadrature": the periodic quadrature sum against the allreduced profile, any kernel; it is a
     circular convolution, evaluated by FFT (FFTW) in O(nx log nx) on every rank.
   Both evaluate the same discrete sum, so they agree to round-off on a trig kernel. */
typedef struct _p_VfpaKernel *VfpaKernel;

typedef enum {
  VFPA_AVERAGE_AUTO,
  VFPA_AVERAGE_MODES,
  VFPA_AVERAGE_QUADRATURE
} VfpaAverageMethod;
PETSC_EXTERN const char *const VfpaAverageMethods[];

struct _p_VfpaKernel {
  MPI_Comm          comm;
  char              type[64];
  PetscReal (*eval)(VfpaKernel, PetscReal); /* phi at a periodic distance d in [0, L/2] */
  PetscBool         cosine_series;          /* phi is a finite cosine series (the modes path applies) */
  PetscReal         psi[VFPA_KERNEL_MAX_PSI]; /* trig: psi(x) = sum_k psi[k] cos(2 pi k x / L) */
  PetscInt          npsi;
  PetscReal         power;                  /* algebraic: (1 + r^2)^(-power/2) */
  PetscReal         width;                  /* gaussian: standard deviation; tophat: radius */
  VfpaAverageMethod method;
  VfpaGrid          grid;
  PetscReal        *table;    /* phi(min(m, nx-m) dx), m = 0..nx-1 */
  PetscReal         integral; /* sum_m table[m] dx: the discrete integral of phi */
  PetscReal        *cosx, *sinx; /* modes: cos/sin(2 pi k x_i / L) on the ghosted x range */
  double           *fft_real;     /* quadrature: a full profile, then its average */
  fftw_complex     *fft_spectrum; /* its nx/2+1 Fourier coefficients */
  double           *kernel_modes; /* the kernel's nx Fourier coefficients, real (phi is even), scaled by dx/nx */
  fftw_plan         forward, backward;
  fftw_complex     *half, *half_spectrum; /* even nx up to VFPA_FFT_HALF_MAX_NX: a profile as a complex one of nx/2 values, and its transform */
  fftw_plan         half_forward, half_backward;
  double           *half_alpha, *half_beta; /* the weights that turn that transform into the average's (kernel.c) */
  PetscReal        *work;
  PetscInt          nwork;
};

PETSC_EXTERN PetscErrorCode VfpaKernelCreate(MPI_Comm, VfpaKernel *);
PETSC_EXTERN PetscErrorCode VfpaKernelSetFromOptions(VfpaKernel, VfpaParams);
PETSC_EXTERN PetscErrorCode VfpaKernelSetUp(VfpaKernel, VfpaGrid);
PETSC_EXTERN PetscErrorCode VfpaKernelView(VfpaKernel, PetscViewer);
PETSC_EXTERN PetscErrorCode VfpaKernelDestroy(VfpaKernel *);
PETSC_EXTERN PetscErrorCode VfpaKernelConvolve(VfpaKernel, PetscInt, const PetscReal *const[], PetscReal *const[]);
PETSC_EXTERN PetscErrorCode VfpaKernelSetMethod(VfpaKernel, VfpaAverageMethod);

#endif
