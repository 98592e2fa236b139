#ifndef VFPA_CHECKPOINT_H
#define VFPA_CHECKPOINT_H

#include "vfpa_model.h"

/* The checkpoint format this vfpa writes; it reads this and older ones. */
#define VFPA_CHECKPOINT_FORMAT 1

/* Everything besides U that a run needs to continue exactly. vfpa flags every step as a restart
   step (TSRestartStep), so integrators keep no history between steps (no first-same-as-last
   reuse) and the step-size controller's state is the proposed next step dt. */
typedef struct {
  PetscReal  time, dt;
  PetscInt   step, rejected;
  PetscInt   nsnapshots;
  PetscReal *snapshot_times; /* nsnapshots */
} VfpaRunState;

/* Checkpoints: one parallel HDF5 file checkpoint_SSSSSSSS.h5 (SSSSSSSS = step) per checkpoint,
   written to a hidden temporary name and renamed into place when complete, holding f (nv x nx),
   s (nx, s-model), the run state, the options text, every parameter, the grid and layout, the
   versions, and a checksum per dataset (a position-keyed 64-bit hash sum, independent of the
   process layout). Triggers: every -checkpoint_steps steps, every -checkpoint_interval of simulated
   time, every -checkpoint_walltime wall seconds, at the end, on SIGTERM or SIGUSR1 and before
   -max_walltime; the last two stop the run with VFPA_EXIT_STOPPED_EARLY. -restart FILE|latest
   continues a run on any number of ranks. */
typedef struct _p_VfpaCheckpoint *VfpaCheckpoint;

struct _p_VfpaCheckpoint {
  MPI_Comm       comm;
  char           dir[PETSC_MAX_PATH_LEN];
  PetscInt       every_steps, keep;
  PetscReal      interval, wall_interval, max_walltime, write_delay;
  PetscInt       next_interval;               /* index k of the next time k * interval */
  PetscLogDouble wall_start, wall_last, wall_step, step_seconds, write_seconds;
  char           restart[PETSC_MAX_PATH_LEN]; /* the checkpoint this run continues, or "" */
  char          *options;                     /* this run's options, as text */
  char          *restart_parameters;          /* "name = value" lines of the restart checkpoint */
  char           stop_reason[64];             /* why the run is stopping early, or "" */
};

PETSC_EXTERN PetscErrorCode VfpaCheckpointCreate(MPI_Comm, VfpaCheckpoint *);
PETSC_EXTERN PetscErrorCode VfpaCheckpointPrepareRestart(VfpaCheckpoint, const char[]);
PETSC_EXTERN PetscErrorCode VfpaCheckpointSetFromOptions(VfpaCheckpoint);
PETSC_EXTERN PetscErrorCode VfpaCheckpointCheckParams(VfpaCheckpoint, VfpaParams);
PETSC_EXTERN PetscErrorCode VfpaCheckpointSetUp(VfpaCheckpoint, const char[], PetscReal);
PETSC_EXTERN PetscErrorCode VfpaCheckpointView(VfpaCheckpoint, PetscViewer);
PETSC_EXTERN PetscErrorCode VfpaCheckpointDestroy(VfpaCheckpoint *);
PETSC_EXTERN PetscErrorCode VfpaCheckpointLoad(VfpaCheckpoint, VfpaModel, Vec, VfpaRunState *);
PETSC_EXTERN PetscErrorCode VfpaCheckpointDecide(VfpaCheckpoint, PetscReal, PetscInt, PetscBool *, PetscBool *);
PETSC_EXTERN PetscErrorCode VfpaCheckpointWrite(VfpaCheckpoint, VfpaModel, VfpaParams, Vec, const VfpaRunState *);
PETSC_EXTERN PetscErrorCode VfpaRunStateDestroy(VfpaRunState *);

#endif
