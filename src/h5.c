/* Collective parallel HDF5 I/O of phase-space fields, x-profiles and attributes. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include "vfpa_h5.h"
#include "vfpa_log.h"

/* Create (truncating) or open read-only an HDF5 file with MPI-IO over comm. */
static PetscErrorCode OpenParallel(MPI_Comm comm, const char path[], PetscBool create, hid_t *file)
{
  hid_t fapl;

  PetscFunctionBeginUser;
  VfpaH5Call(H5Eset_auto2(H5E_DEFAULT, NULL, NULL)); /* failures are reported by vfpa */
  VfpaH5Call(fapl = H5Pcreate(H5P_FILE_ACCESS));
  VfpaH5Call(H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL));
  *file = create ? H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl) : H5Fopen(path, H5F_ACC_RDONLY, fapl);
  VfpaH5Call(H5Pclose(fapl));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaH5Create(MPI_Comm comm, const char path[], hid_t *file)
{
  PetscFunctionBeginUser;
  PetscCall(OpenParallel(comm, path, PETSC_TRUE, file));
  PetscCheck(*file >= 0, comm, PETSC_ERR_FILE_OPEN, "cannot create HDF5 file '%s' (check that its directory exists and is writable)", path);
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaH5Open(MPI_Comm comm, const char path[], hid_t *file)
{
  PetscFunctionBeginUser;
  PetscCall(OpenParallel(comm, path, PETSC_FALSE, file));
  PetscCheck(*file >= 0, comm, PETSC_ERR_FILE_OPEN, "cannot open '%s' as an HDF5 file (missing, unreadable or not HDF5)", path);
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaH5Close(hid_t *file)
{
  PetscFunctionBeginUser;
  if (*file >= 0) VfpaH5Call(H5Fclose(*file));
  *file = -1;
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaH5HasDataset(hid_t file, const char name[], PetscBool *has)
{
  htri_t exists = -1;

  PetscFunctionBeginUser;
  VfpaH5Call(exists = H5Lexists(file, name, H5P_DEFAULT));
  *has = exists > 0 ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

/* Rank 0 flushes a completed file to disk and renames it into place (an atomic replacement), so a
   crash never leaves a file under the final name that is not complete. */
PetscErrorCode VfpaH5RenameIntoPlace(MPI_Comm comm, const char tmp[], const char path[])
{
  PetscMPIInt rank;
  int         failed = 0;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) {
    int fd = open(tmp, O_RDONLY);
    if (fd >= 0) {
      (void)fsync(fd);
      close(fd);
    }
    failed = rename(tmp, path) != 0;
  }
  PetscCallMPI(MPI_Bcast(&failed, 1, MPI_INT, 0, comm));
  PetscCheck(!failed, comm, PETSC_ERR_FILE_WRITE, "cannot rename %s to %s", tmp, path);
  PetscFunctionReturn(0);
}

/* A collective-transfer property list. */
static PetscErrorCode CollectiveTransfer(hid_t *dxpl)
{
  PetscFunctionBeginUser;
  VfpaH5Call(*dxpl = H5Pcreate(H5P_DATASET_XFER));
  VfpaH5Call(H5Pset_dxpl_mpio(*dxpl, H5FD_MPIO_COLLECTIVE));
  PetscFunctionReturn(0);
}

/* Write (or read) the block [start, start + count) of a dataset of the given shape; a rank with
   nothing to contribute passes count = 0 and still takes part in the collective call. */
static PetscErrorCode TransferBlock(hid_t file, const char name[], PetscBool write, int rank, const hsize_t shape[], const hsize_t start[], const hsize_t count[], PetscReal *buf)
{
  hid_t     filespace, memspace, dset, dxpl;
  PetscBool empty = PETSC_FALSE;

  PetscFunctionBeginUser;
  for (int d = 0; d < rank; d++)
    if (!count[d]) empty = PETSC_TRUE;
  if (write) {
    VfpaH5Call(filespace = H5Screate_simple(rank, shape, NULL));
    VfpaH5Call(dset = H5Dcreate2(file, name, H5T_NATIVE_DOUBLE, filespace, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  } else {
    VfpaH5Call(dset = H5Dopen2(file, name, H5P_DEFAULT));
    VfpaH5Call(filespace = H5Dget_space(dset));
  }
  if (empty) {
    hsize_t one = 1;
    VfpaH5Call(memspace = H5Screate_simple(1, &one, NULL));
    VfpaH5Call(H5Sselect_none(memspace));
    VfpaH5Call(H5Sselect_none(filespace));
  } else {
    VfpaH5Call(memspace = H5Screate_simple(rank, count, NULL));
    VfpaH5Call(H5Sselect_hyperslab(filespace, H5S_SELECT_SET, start, NULL, count, NULL));
  }
  PetscCall(CollectiveTransfer(&dxpl));
  if (write) VfpaH5Call(H5Dwrite(dset, H5T_NATIVE_DOUBLE, memspace, filespace, dxpl, buf));
  else VfpaH5Call(H5Dread(dset, H5T_NATIVE_DOUBLE, memspace, filespace, dxpl, buf));
  VfpaH5Call(H5Pclose(dxpl));
  VfpaH5Call(H5Sclose(memspace));
  VfpaH5Call(H5Sclose(filespace));
  VfpaH5Call(H5Dclose(dset));
  PetscFunctionReturn(0);
}

/* The shape of an existing dataset must be the expected one. */
static PetscErrorCode CheckShape(MPI_Comm comm, hid_t file, const char name[], int rank, const hsize_t shape[])
{
  hid_t     dset, space;
  hsize_t   dims[4];
  int       ndims;
  PetscBool has = PETSC_FALSE, same;

  PetscFunctionBeginUser;
  PetscCall(VfpaH5HasDataset(file, name, &has));
  PetscCheck(has, comm, PETSC_ERR_FILE_UNEXPECTED, "dataset '%s' is missing from the HDF5 file", name);
  VfpaH5Call(dset = H5Dopen2(file, name, H5P_DEFAULT));
  VfpaH5Call(space = H5Dget_space(dset));
  VfpaH5Call(ndims = H5Sget_simple_extent_ndims(space));
  same = (PetscBool)(ndims == rank);
  if (same) {
    VfpaH5Call(H5Sget_simple_extent_dims(space, dims, NULL));
    for (int d = 0; d < rank; d++)
      if (dims[d] != shape[d]) same = PETSC_FALSE;
  }
  VfpaH5Call(H5Sclose(space));
  VfpaH5Call(H5Dclose(dset));
  PetscCheck(same, comm, PETSC_ERR_FILE_UNEXPECTED, "dataset '%s' has the wrong shape for this grid (expected %d dimensions of sizes %llu%s%llu)", name, rank, (unsigned long long)shape[0], rank > 1 ? ", " : "", rank > 1 ? (unsigned long long)shape[1] : 0ULL);
  PetscFunctionReturn(0);
}

static PetscErrorCode PhaseSpaceBlock(VfpaGrid g, Vec U, PetscBool write, hid_t file, const char name[])
{
  hsize_t      shape[2] = {(hsize_t)g->nv, (hsize_t)g->nx}, start[2] = {(hsize_t)g->vs, (hsize_t)g->xs}, count[2] = {(hsize_t)g->vm, (hsize_t)g->xm};
  PetscReal   *buf;
  PetscScalar **f;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(VFPA_IO, 0, 0, 0, 0));
  PetscCall(PetscMalloc1(g->vm * g->xm, &buf));
  PetscCall(DMDAVecGetArray(g->da, U, &f));
  if (write) {
    for (PetscInt j = 0; j < g->vm; j++)
      for (PetscInt i = 0; i < g->xm; i++) buf[j * g->xm + i] = f[g->vs + j][g->xs + i];
    PetscCall(TransferBlock(file, name, PETSC_TRUE, 2, shape, start, count, buf));
  } else {
    PetscCall(CheckShape(g->comm, file, name, 2, shape));
    PetscCall(TransferBlock(file, name, PETSC_FALSE, 2, shape, start, count, buf));
    for (PetscInt j = 0; j < g->vm; j++)
      for (PetscInt i = 0; i < g->xm; i++) f[g->vs + j][g->xs + i] = buf[j * g->xm + i];
  }
  PetscCall(DMDAVecRestoreArray(g->da, U, &f));
  PetscCall(PetscFree(buf));
  PetscCall(PetscLogEventEnd(VFPA_IO, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* The f rows of U as a dataset of shape (nv, nx). */
PetscErrorCode VfpaH5WritePhaseSpace(VfpaGrid g, hid_t file, const char name[], Vec U)
{
  PetscFunctionBeginUser;
  PetscCall(PhaseSpaceBlock(g, U, PETSC_TRUE, file, name));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaH5ReadPhaseSpace(VfpaGrid g, hid_t file, const char name[], Vec U)
{
  PetscFunctionBeginUser;
  PetscCall(PhaseSpaceBlock(g, U, PETSC_FALSE, file, name));
  PetscFunctionReturn(0);
}

/* A ghosted x-profile as a dataset of shape (nx), written by the bottom rank of each x slab. */
PetscErrorCode VfpaH5WriteProfile(VfpaGrid g, hid_t file, const char name[], const PetscReal *profile)
{
  hsize_t shape = (hsize_t)g->nx, start = (hsize_t)g->xs, count = g->vs == 0 ? (hsize_t)g->xm : 0;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(VFPA_IO, 0, 0, 0, 0));
  PetscCall(TransferBlock(file, name, PETSC_TRUE, 1, &shape, &start, &count, (PetscReal *)profile + g->xs));
  PetscCall(PetscLogEventEnd(VFPA_IO, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* Read the owned part of an x-profile (every rank reads its own x range). */
PetscErrorCode VfpaH5ReadProfile(VfpaGrid g, hid_t file, const char name[], PetscReal *profile)
{
  hsize_t shape = (hsize_t)g->nx, start = (hsize_t)g->xs, count = (hsize_t)g->xm;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(VFPA_IO, 0, 0, 0, 0));
  PetscCall(CheckShape(g->comm, file, name, 1, &shape));
  PetscCall(TransferBlock(file, name, PETSC_FALSE, 1, &shape, &start, &count, profile + g->xs));
  PetscCall(PetscLogEventEnd(VFPA_IO, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* A small array known to every rank, written by rank 0. */
PetscErrorCode VfpaH5WriteArray(MPI_Comm comm, hid_t file, const char name[], PetscInt n, const PetscReal data[])
{
  PetscMPIInt rank;
  hsize_t     shape = (hsize_t)n, start = 0, count;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  count = rank ? 0 : (hsize_t)n;
  PetscCall(TransferBlock(file, name, PETSC_TRUE, 1, &shape, &start, &count, (PetscReal *)data));
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteAttribute(hid_t loc, const char name[], hid_t type, hid_t space, const void *value)
{
  hid_t attr;

  PetscFunctionBeginUser;
  VfpaH5Call(attr = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT));
  VfpaH5Call(H5Awrite(attr, type, value));
  VfpaH5Call(H5Aclose(attr));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaH5WriteAttributeReal(hid_t loc, const char name[], PetscReal value)
{
  hid_t  space;
  double v = (double)value;

  PetscFunctionBeginUser;
  VfpaH5Call(space = H5Screate(H5S_SCALAR));
  PetscCall(WriteAttribute(loc, name, H5T_NATIVE_DOUBLE, space, &v));
  VfpaH5Call(H5Sclose(space));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaH5WriteAttributeInt(hid_t loc, const char name[], PetscInt value)
{
  hid_t     space;
  long long v = (long long)value;

  PetscFunctionBeginUser;
  VfpaH5Call(space = H5Screate(H5S_SCALAR));
  PetscCall(WriteAttribute(loc, name, H5T_NATIVE_LLONG, space, &v));
  VfpaH5Call(H5Sclose(space));
  PetscFunctionReturn(0);
}

/* A variable-length UTF-8 string attribute (read back as str by h5py). */
PetscErrorCode VfpaH5WriteAttributeString(hid_t loc, const char name[], const char value[])
{
  hid_t space, type;

  PetscFunctionBeginUser;
  VfpaH5Call(space = H5Screate(H5S_SCALAR));
  VfpaH5Call(type = H5Tcopy(H5T_C_S1));
  VfpaH5Call(H5Tset_size(type, H5T_VARIABLE));
  VfpaH5Call(H5Tset_cset(type, H5T_CSET_UTF8));
  PetscCall(WriteAttribute(loc, name, type, space, &value));
  VfpaH5Call(H5Tclose(type));
  VfpaH5Call(H5Sclose(space));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaH5WriteAttributeUInt64(hid_t loc, const char name[], uint64_t value)
{
  hid_t space;

  PetscFunctionBeginUser;
  VfpaH5Call(space = H5Screate(H5S_SCALAR));
  PetscCall(WriteAttribute(loc, name, H5T_NATIVE_UINT64, space, &value));
  VfpaH5Call(H5Sclose(space));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaH5WriteAttributeReals(hid_t loc, const char name[], PetscInt n, const PetscReal values[])
{
  hid_t   space;
  hsize_t dim = (hsize_t)n;

  PetscFunctionBeginUser;
  VfpaH5Call(space = H5Screate_simple(1, &dim, NULL));
  PetscCall(WriteAttribute(loc, name, H5T_NATIVE_DOUBLE, space, values));
  VfpaH5Call(H5Sclose(space));
  PetscFunctionReturn(0);
}

/* Every run parameter as a typed attribute of loc. */
PetscErrorCode VfpaH5WriteParams(hid_t loc, VfpaParams params)
{
  PetscInt n;

  PetscFunctionBeginUser;
  PetscCall(VfpaParamsGetCount(params, &n));
  for (PetscInt k = 0; k < n; k++) {
    const VfpaParam *p;
    PetscCall(VfpaParamsGet(params, k, &p));
    switch (p->kind) {
    case VFPA_PARAM_REAL:
      PetscCall(VfpaH5WriteAttributeReal(loc, p->name, p->real));
      break;
    case VFPA_PARAM_INT:
      PetscCall(VfpaH5WriteAttributeInt(loc, p->name, p->integer));
      break;
    case VFPA_PARAM_STRING:
      PetscCall(VfpaH5WriteAttributeString(loc, p->name, p->text));
      break;
    case VFPA_PARAM_REALS:
      PetscCall(VfpaH5WriteAttributeReals(loc, p->name, p->nreals, p->reals));
      break;
    }
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadAttribute(MPI_Comm comm, hid_t loc, const char file[], const char name[], hid_t type, void *value)
{
  hid_t  attr;
  htri_t exists;

  PetscFunctionBeginUser;
  VfpaH5Call(exists = H5Aexists(loc, name));
  PetscCheck(exists > 0, comm, PETSC_ERR_FILE_UNEXPECTED, "'%s' has no attribute '%s': it was not written by vfpa", file, name);
  VfpaH5Call(attr = H5Aopen(loc, name, H5P_DEFAULT));
  VfpaH5Call(H5Aread(attr, type, value));
  VfpaH5Call(H5Aclose(attr));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaH5ReadAttributeReal(MPI_Comm comm, hid_t loc, const char file[], const char name[], PetscReal *value)
{
  double v;

  PetscFunctionBeginUser;
  PetscCall(ReadAttribute(comm, loc, file, name, H5T_NATIVE_DOUBLE, &v));
  *value = (PetscReal)v;
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaH5ReadAttributeInt(MPI_Comm comm, hid_t loc, const char file[], const char name[], PetscInt *value)
{
  long long v;

  PetscFunctionBeginUser;
  PetscCall(ReadAttribute(comm, loc, file, name, H5T_NATIVE_LLONG, &v));
  *value = (PetscInt)v;
  PetscFunctionReturn(0);
}
