#ifndef VFPA_SOLVER_H
#define VFPA_SOLVER_H

#include "vfpa_init.h"
#include "vfpa_diagnostics.h"
#include "vfpa_output.h"
#include "vfpa_checkpoint.h"

/* A run: the model, its initial data, the PETSc TS that integrates it, and the outputs scheduled in
   simulated time (diagnostics rows, snapshots) or in steps (progress lines). Steps are shortened to
   land exactly on output times and never exceed the positivity limit of the explicit terms. */
typedef struct _p_VfpaSolver *VfpaSolver;

struct _p_VfpaSolver {
  MPI_Comm        comm;
  VfpaParams      params;
  VfpaModel       model;
  VfpaInit        init;
  VfpaDiagnostics diag;
  VfpaOutput      output;
  VfpaCheckpoint  checkpoint;
  TS              ts;
  Vec             U;
  Mat             J;
  PetscBool       imex;           /* ARKIMEX or strang: transport explicit, Fokker-Planck implicit */
  PetscBool       adaptive;       /* the TSAdapt chooses the step */
  PetscBool       reuse_jacobian; /* IMEX: one Jacobian per step for its implicit stages (PreStage) */
  PetscInt        jacobian_step[2]; /* step number and rejection count of the step attempt that
                                       asked for the current Jacobian */
  PetscBool       help;           /* -help: list the options and stop */
  char            input_name[256];
  char            output_dir[PETSC_MAX_PATH_LEN];
  PetscReal       output_interval, diagnostics_interval, max_dt;
  PetscReal       ssp_coefficient; /* forward-Euler steps per step that keep f >= 0 (SSP integrators) */
  PetscInt        monitor_interval;
  PetscInt        next_output, next_diagnostics; /* index k of the next output time k * interval */
  PetscReal       last_snapshot_time;
  PetscInt        rejected_offset;      /* rejected steps before the restart */
  PetscInt        last_checkpoint_step; /* -1: none written by this run */
  PetscBool       checkpoint_due;       /* decided after a step, written once its outputs are done */
  PetscBool       stopped_early;        /* a signal or -max_walltime stopped the run */
  PetscReal       row[VFPA_DIAG_COUNT];
  PetscLogDouble  wall_start;
  PetscReal       t_start;
};

PETSC_EXTERN PetscErrorCode VfpaSolverCreate(MPI_Comm, const char[], VfpaSolver *);
PETSC_EXTERN PetscErrorCode VfpaSolverSetFromOptions(VfpaSolver);
PETSC_EXTERN PetscErrorCode VfpaSolverSetUp(VfpaSolver);
PETSC_EXTERN PetscErrorCode VfpaSolverView(VfpaSolver, PetscViewer);
PETSC_EXTERN PetscErrorCode VfpaSolverSolve(VfpaSolver);
PETSC_EXTERN PetscErrorCode VfpaSolverDestroy(VfpaSolver *);

#endif
