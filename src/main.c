/* bin/vfpa: run the kinetic model described by the options (see -help and the files in input/). */
#include "vfpa.h"

static const char help[] = "vfpa: Vlasov / Fokker-Planck-Alignment solver for kinetic models of collective behaviour.\n"
                           "Usage: mpirun -n P bin/vfpa -options_file input/relax1d.opts [-option value ...]\n"
                           "Exit codes: 0 completed, 1 internal or system error, 2 bad input (one message on stderr),\n"
                           "3 stopped early by SIGTERM/SIGUSR1 or -max_walltime after writing a checkpoint (resubmit with -restart latest).\n\n";

static PetscErrorCode Run(VfpaSolver solver)
{
  PetscFunctionBeginUser;
  PetscCall(VfpaSolverSetFromOptions(solver));
  if (solver->help) PetscFunctionReturn(0);
  PetscCall(VfpaSolverSetUp(solver));
  PetscCall(VfpaSolverSolve(solver));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  char           name[256];
  VfpaSolver     solver = NULL;
  PetscErrorCode ierr;
  VfpaExitCode   code;

  PetscCall(VfpaInitialize(&argc, &argv, help));
  PetscCall(VfpaErrorHandlerPush());
  PetscCall(VfpaInputName(argc, argv, name, sizeof(name)));
  ierr = VfpaSolverCreate(PETSC_COMM_WORLD, name, &solver);
  if (!ierr) ierr = Run(solver);
  code = VfpaErrorReport(PETSC_COMM_WORLD, ierr);
  if (code == VFPA_EXIT_ERROR) return code; /* other ranks may be stuck in a collective: no finalize */
  if (!ierr && solver->stopped_early) code = VFPA_EXIT_STOPPED_EARLY;
  PetscCall(VfpaSolverDestroy(&solver));
  PetscCall(VfpaErrorHandlerPop());
  PetscCall(PetscFinalize());
  return code;
}
