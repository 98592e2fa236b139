#ifndef VFPA_GMRES_H
#define VFPA_GMRES_H

#include "vfpa_grid.h"

/* GMRES for a small linear system whose unknowns are one value per x cell (a profile), such as the
   nx momenta of the IMEX stage preconditioner (vfpa_stagepc.h): the operator is a callback on the
   owned cells, the inner products are summed over the ranks along x (one allreduce per classical
   Gram-Schmidt pass, two passes per iteration, then one for the norm). Zero initial guess, no
   restarts: the Krylov basis grows one profile per iteration up to -momentum_max_it, and the solve
   stops once the residual norm is at most -momentum_rtol times |b| (the options of its one use). A system that does not converge
   is not an error (the result is the last iterate, as a KSP that reached its iteration limit),
   nor is an operator singular on the Krylov space (the iterate before the breakdown); View reports
   how many did not converge.
   Written for the stage preconditioner: on its 64 unknowns at nx = 64 (IMEX, lambda = 100, 4
   iterations), PETSc's KSPGMRES took 17.6 us per solve in -log_view, about 14 of them outside the
   operator; this takes 4.8 us. */
typedef PetscErrorCode (*VfpaProfileOperator)(void *ctx, const PetscReal *in, PetscReal *out);

typedef struct _p_VfpaGMRES *VfpaGMRES;

struct _p_VfpaGMRES {
  MPI_Comm            comm;
  PetscReal           rtol;        /* stop at |b - A y| <= rtol |b| */
  PetscInt            max_it;      /* the largest Krylov dimension */
  VfpaGrid            grid;        /* unknowns: its owned x cells; sums over its row communicator */
  VfpaProfileOperator op;
  void               *ctx;
  PetscReal         **basis;       /* up to max_it + 1 profiles, allocated as the iterations need them */
  PetscInt            allocated;
  PetscReal          *hessenberg;  /* (max_it + 1) x max_it, column k = iteration k, rotated */
  PetscReal          *cs, *sn, *g; /* Givens rotations and the rotated right-hand side */
  PetscReal          *proj;        /* the k + 1 projections of one Gram-Schmidt pass */
  PetscInt            solves, iterations, unconverged, most; /* statistics, for View */
  PetscInt            singular;    /* solves stopped on an operator singular on the Krylov space */
};

PETSC_EXTERN PetscErrorCode VfpaGMRESCreate(MPI_Comm, VfpaGMRES *);
PETSC_EXTERN PetscErrorCode VfpaGMRESSetOperator(VfpaGMRES, VfpaProfileOperator, void *);
PETSC_EXTERN PetscErrorCode VfpaGMRESSetFromOptions(VfpaGMRES);
PETSC_EXTERN PetscErrorCode VfpaGMRESSetUp(VfpaGMRES, VfpaGrid);
PETSC_EXTERN PetscErrorCode VfpaGMRESSolve(VfpaGMRES, const PetscReal[], PetscReal[]);
PETSC_EXTERN PetscErrorCode VfpaGMRESView(VfpaGMRES, PetscViewer);
PETSC_EXTERN PetscErrorCode VfpaGMRESDestroy(VfpaGMRES *);

#endif
