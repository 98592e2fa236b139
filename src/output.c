/* Snapshots and their XDMF index. */
#include <stdio.h>
#include "vfpa_output.h"
#include "vfpa_h5.h"
#include "vfpa_log.h"
#include "vfpa_sys.h"

PetscErrorCode VfpaOutputCreate(VfpaModel model, VfpaParams params, VfpaOutput *output)
{
  PetscFunctionBeginUser;
  PetscCall(PetscNew(output));
  (*output)->comm   = model->comm;
  (*output)->model  = model;
  (*output)->params = params;
  PetscCall(VfpaGridProfileCreate(model->grid, &(*output)->w));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaOutputSetUp(VfpaOutput out, const char dir[])
{
  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(out->dir, dir, sizeof(out->dir)));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaOutputDestroy(VfpaOutput *output)
{
  PetscFunctionBeginUser;
  if (!*output) PetscFunctionReturn(0);
  PetscCall(VfpaGridProfileDestroy((*output)->model->grid, &(*output)->w));
  PetscCall(PetscFree((*output)->times));
  PetscCall(PetscFree(*output));
  PetscFunctionReturn(0);
}

/* snapshots.xdmf: f of every snapshot as cell data on the (v, x) rectilinear mesh. */
static PetscErrorCode WriteXdmf(VfpaOutput out)
{
  VfpaGrid    g = out->model->grid;
  PetscMPIInt rank;
  char        path[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN];
  FILE       *fp;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(out->comm, &rank));
  if (rank) PetscFunctionReturn(0);
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/snapshots.xdmf", out->dir));
  PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s/.snapshots.xdmf.tmp", out->dir));
  fp = fopen(tmp, "w");
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot write %s", tmp);
  fprintf(fp, "<?xml version=\"1.0\" ?>\n<Xdmf Version=\"3.0\">\n <Domain>\n  <Grid Name=\"vfpa\" GridType=\"Collection\" CollectionType=\"Temporal\">\n");
  for (PetscInt k = 0; k < out->count; k++) {
    fprintf(fp, "   <Grid Name=\"snap_%06d\" GridType=\"Uniform\">\n    <Time Value=\"%.17g\"/>\n", (int)k, (double)out->times[k]);
    fprintf(fp, "    <Topology TopologyType=\"2DCoRectMesh\" Dimensions=\"%d %d\"/>\n", (int)g->nv + 1, (int)g->nx + 1);
    fprintf(fp, "    <Geometry GeometryType=\"ORIGIN_DXDY\">\n");
    fprintf(fp, "     <DataItem Dimensions=\"2\" NumberType=\"Float\" Precision=\"8\" Format=\"XML\">%.17g 0</DataItem>\n", (double)-g->vmax);
    fprintf(fp, "     <DataItem Dimensions=\"2\" NumberType=\"Float\" Precision=\"8\" Format=\"XML\">%.17g %.17g</DataItem>\n    </Geometry>\n", (double)g->dv, (double)g->dx);
    fprintf(fp, "    <Attribute Name=\"f\" AttributeType=\"Scalar\" Center=\"Cell\">\n");
    fprintf(fp, "     <DataItem Dimensions=\"%d %d\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">snap_%06d.h5:/f</DataItem>\n    </Attribute>\n   </Grid>\n", (int)g->nv, (int)g->nx, (int)k);
  }
  fprintf(fp, "  </Grid>\n </Domain>\n</Xdmf>\n");
  PetscCheck(!fclose(fp), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write %s", tmp);
  PetscCheck(!rename(tmp, path), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot rename %s to %s", tmp, path);
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteContents(VfpaOutput out, hid_t file, Vec U, PetscReal t, PetscInt step)
{
  VfpaModel m = out->model;
  VfpaGrid  g = m->grid;
  PetscReal *x;
  char      versions[512];

  PetscFunctionBeginUser;
  PetscCall(VfpaModelEvaluateFields(m, U));
  PetscCall(VfpaProtocolWeight(m->protocol, m->moments, out->w));
  PetscCall(VfpaH5WritePhaseSpace(g, file, "f", U));
  PetscCall(VfpaH5WriteProfile(g, file, "rho", m->moments->rho));
  PetscCall(VfpaH5WriteProfile(g, file, "u", m->moments->u));
  PetscCall(VfpaH5WriteProfile(g, file, "s", m->protocol->s));
  PetscCall(VfpaH5WriteProfile(g, file, "w", out->w));
  PetscCall(VfpaH5WriteProfile(g, file, "avg_u", m->protocol->avg_u));
  PetscCall(PetscMalloc1(g->nx, &x));
  for (PetscInt i = 0; i < g->nx; i++) x[i] = (i + 0.5) * g->dx;
  PetscCall(VfpaH5WriteArray(g->comm, file, "x", g->nx, x));
  PetscCall(PetscFree(x));
  PetscCall(VfpaH5WriteArray(g->comm, file, "v", g->nv, g->v));
  PetscCall(VfpaH5WriteAttributeReal(file, "time", t));
  PetscCall(VfpaH5WriteAttributeInt(file, "step", step));
  PetscCall(VfpaLibraryVersions(versions, sizeof(versions)));
  PetscCall(VfpaH5WriteAttributeString(file, "versions", versions));
  PetscCall(VfpaH5WriteParams(file, out->params));
  PetscFunctionReturn(0);
}

/* After a restart: snapshot numbering continues after the checkpoint's count snapshots, whose times
   are given; snapshots an interrupted run wrote after its checkpoint are removed. */
PetscErrorCode VfpaOutputResume(VfpaOutput out, PetscInt count, const PetscReal times[])
{
  PetscMPIInt rank;
  char        path[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscFree(out->times));
  out->capacity = PetscMax(64, 2 * count);
  PetscCall(PetscMalloc1(out->capacity, &out->times));
  PetscCall(PetscArraycpy(out->times, times, count));
  out->count = count;
  PetscCallMPI(MPI_Comm_rank(out->comm, &rank));
  for (PetscInt k = count; !rank; k++) {
    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/snap_%06d.h5", out->dir, (int)k));
    if (remove(path)) break;
  }
  if (count) PetscCall(WriteXdmf(out));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaOutputWriteSnapshot(VfpaOutput out, Vec U, PetscReal t, PetscInt step)
{
  char  path[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN];
  hid_t file;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(VFPA_IO, 0, 0, 0, 0));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/snap_%06d.h5", out->dir, (int)out->count));
  PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s/.snap_%06d.h5.tmp", out->dir, (int)out->count));
  PetscCall(VfpaH5Create(out->comm, tmp, &file));
  PetscCall(WriteContents(out, file, U, t, step));
  PetscCall(VfpaH5Close(&file));
  PetscCall(VfpaH5RenameIntoPlace(out->comm, tmp, path));
  if (out->count == out->capacity) {
    out->capacity = out->capacity ? 2 * out->capacity : 64;
    PetscCall(PetscRealloc(out->capacity * sizeof(PetscReal), &out->times));
  }
  out->times[out->count++] = t;
  PetscCall(WriteXdmf(out));
  PetscCall(PetscLogEventEnd(VFPA_IO, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
