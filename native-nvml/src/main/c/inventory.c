/* Reads inventory.json into a struct fake_inventory, validating every field (format in native-nvml/README.md). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_nvml.h"
#include "inventory_fields.h"
#include "json.h"

#define INVENTORY_MAX_BYTES (16L * 1024 * 1024)
#define MAX_MEMORY_MIB (1LL << 40)

static int load_gpu(struct ctx *c, const struct json_value *v, int index, struct fake_inventory *inv) {
  static const char *const allowed[] = {"uuid", "name", "minor", "pciBusId", "pciDeviceId", "pciSubSystemId",
                                        "memoryMiB", "usedMiB", "numaNode", "pcieSwitch", "board",
                                        "computeCapability", "migMode", "nvswitchLinks", "migDevices",
                                        "computeMode", "utilization", "temperatureC", "powerW", "processes", NULL};
  struct fake_gpu *gpu = &inv->gpus[index];
  char where[32], uuid[48], default_bus_id[32], bus_id[32];
  long long minor, memory, used, numa, nvswitch;
  snprintf(where, sizeof where, "gpus[%d]", index);
  if (v->type != JSON_OBJECT) {
    return bad(c, v, "%s: expected an object, found %s", where, json_type_name(v->type));
  }
  if (!check_members(c, v, where, allowed)) {
    return 0;
  }
  gpu->index = index;
  snprintf(uuid, sizeof uuid, "GPU-00000000-0000-0000-0000-%012x", (unsigned int)index);
  snprintf(default_bus_id, sizeof default_bus_id, "00000000:%02X:00.0", 0x10 + index);
  if (!opt_string(c, v, "uuid", where, gpu->uuid, 81, uuid, 0) ||
      !opt_string(c, v, "name", where, gpu->name, sizeof gpu->name, "NVIDIA A100-SXM4-40GB", 1) ||
      !opt_int(c, v, "minor", where, 0, 0x7FFFFFFF, index, &minor) ||
      !opt_string(c, v, "pciBusId", where, bus_id, sizeof bus_id, default_bus_id, 0) ||
      !opt_pci_id(c, v, "pciDeviceId", where, 0x20B010DE, &gpu->pci.pciDeviceId) ||
      !opt_pci_id(c, v, "pciSubSystemId", where, 0x134F10DE, &gpu->pci.pciSubSystemId) ||
      !opt_int(c, v, "memoryMiB", where, 0, MAX_MEMORY_MIB, 40960, &memory) ||
      !opt_int(c, v, "usedMiB", where, 0, memory, 0, &used) ||
      !opt_int(c, v, "numaNode", where, -1, 1023, 0, &numa) ||
      !opt_string(c, v, "pcieSwitch", where, gpu->pcie_switch, sizeof gpu->pcie_switch, "", 1) ||
      !opt_string(c, v, "board", where, gpu->board, sizeof gpu->board, "", 1) ||
      !parse_compute_capability(c, v, where, gpu) ||
      !opt_int(c, v, "nvswitchLinks", where, 0, NVML_NVLINK_MAX_LINKS, 0, &nvswitch)) {
    return 0;
  }
  if (!parse_bus_id(bus_id, &gpu->pci)) {
    return bad(c, member(v, "pciBusId"), "%s.pciBusId: expected \"domain:bus:device.function\" like "
               "\"00000000:07:00.0\", found \"%s\"", where, bus_id);
  }
  const struct json_value *mig = member(v, "migMode");
  if (mig != NULL && mig->type != JSON_BOOL) {
    return bad(c, mig, "%s.migMode: expected true, false or null, found %s", where, json_type_name(mig->type));
  }
  gpu->mig = mig == NULL ? -1 : mig->boolean ? NVML_DEVICE_MIG_ENABLE : NVML_DEVICE_MIG_DISABLE;
  gpu->minor = (unsigned int)minor;
  gpu->memory_mib = (unsigned long long)memory;
  gpu->used_mib = (unsigned long long)used;
  gpu->numa_node = (int)numa;
  gpu->nvswitch_links = (int)nvswitch;
  return load_gpu_runtime(c, v, where, gpu) && load_migs(c, v, where, inv, gpu);
}

/* GPU and MIG device uuids share one namespace: nvmlDeviceGetHandleByUUID takes either. */
static int check_mig_uuids(struct ctx *c, const struct json_value *gpus, const struct fake_inventory *inv) {
  for (int i = 0; i < inv->mig_count; i++) {
    const struct fake_mig *mig = &inv->migs[i];
    int clash_gpu = -1, clash_mig = -1;
    for (int j = 0; j < inv->gpu_count && clash_gpu < 0; j++) {
      clash_gpu = strcasecmp(mig->uuid, inv->gpus[j].uuid) == 0 ? j : -1;
    }
    for (int j = 0; j < i && clash_mig < 0; j++) {
      clash_mig = strcasecmp(mig->uuid, inv->migs[j].uuid) == 0 ? j : -1;
    }
    if (clash_gpu >= 0 || clash_mig >= 0) {
      return bad(c, gpus->items[mig->gpu], "gpus[%d].migDevices[%d].uuid: \"%s\" is already %s", mig->gpu,
                 mig->slot, mig->uuid, clash_gpu >= 0 ? "a GPU's uuid" : "another MIG device's uuid");
    }
  }
  return 1;
}

static int load_gpus(struct ctx *c, const struct json_value *root, struct fake_inventory *inv) {
  const struct json_value *gpus = member(root, "gpus");
  if (gpus == NULL) {
    return 1; /* a node without GPUs */
  }
  if (gpus->type != JSON_ARRAY || gpus->count > FAKE_MAX_GPUS) {
    return bad(c, gpus, "gpus: expected an array of at most %d objects", FAKE_MAX_GPUS);
  }
  inv->gpus = calloc(gpus->count + 1, sizeof *inv->gpus);
  inv->migs = calloc((size_t)count_migs(gpus) + 1, sizeof *inv->migs);
  if (inv->gpus == NULL || inv->migs == NULL) {
    return bad(c, gpus, "out of memory");
  }
  inv->gpu_count = (int)gpus->count;
  for (int i = 0; i < inv->gpu_count; i++) {
    struct fake_gpu *gpu = &inv->gpus[i];
    if (!load_gpu(c, gpus->items[i], i, inv)) {
      return 0;
    }
    for (int j = 0; j < i; j++) {
      const struct fake_gpu *other = &inv->gpus[j];
      const char *clash = strcasecmp(gpu->uuid, other->uuid) == 0          ? "uuid"
                          : strcmp(gpu->pci.busId, other->pci.busId) == 0 ? "pciBusId"
                          : gpu->minor == other->minor                     ? "minor"
                                                                           : NULL;
      if (clash != NULL) {
        return bad(c, gpus->items[i], "gpus[%d].%s: the same as gpus[%d]", i, clash, j);
      }
    }
  }
  return check_mig_uuids(c, gpus, inv);
}

static char *read_file(const char *path, size_t *length, char *error, size_t error_size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) {
    snprintf(error, error_size, "cannot read %s: %s", path, strerror(errno));
    if (fd >= 0) {
      close(fd);
    }
    return NULL;
  }
  if (!S_ISREG(st.st_mode) || st.st_size > INVENTORY_MAX_BYTES) {
    snprintf(error, error_size, "cannot read %s: not a regular file of at most 16 MiB", path);
    close(fd);
    return NULL;
  }
  char *text = malloc((size_t)st.st_size + 1);
  size_t done = 0;
  while (text != NULL && done < (size_t)st.st_size) {
    ssize_t n = read(fd, text + done, (size_t)st.st_size - done);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) {
        continue;
      }
      break; /* shorter than fstat said: parse what is there */
    }
    done += (size_t)n;
  }
  close(fd);
  if (text == NULL) {
    snprintf(error, error_size, "cannot read %s: out of memory", path);
    return NULL;
  }
  text[done] = '\0';
  *length = done;
  return text;
}

int fake_inventory_load(const char *path, struct fake_inventory *inv, char *error, size_t error_size) {
  static const char *const allowed[] = {"driverVersion", "cudaDriverVersion", "gpus", "nvlinkMatrix",
                                        "topologyMatrix", "events", "failures", "description", NULL};
  struct ctx c = {path, error, error_size};
  char json_error[256];
  size_t length = 0;
  long long cuda;
  memset(inv, 0, sizeof *inv);
  char *text = read_file(path, &length, error, error_size);
  if (text == NULL) {
    return -1;
  }
  struct json_value *root = json_parse(text, length, json_error, sizeof json_error);
  free(text);
  if (root == NULL) {
    snprintf(error, error_size, "%s: %s", path, json_error);
    return -2;
  }
  int ok = root->type == JSON_OBJECT ? 1 : bad(&c, root, "expected a JSON object at the top level");
  ok = ok && check_members(&c, root, "inventory", allowed) &&
       opt_string(&c, root, "driverVersion", "inventory", inv->driver_version, sizeof inv->driver_version,
                  "550.54.15", 0) &&
       opt_int(&c, root, "cudaDriverVersion", "inventory", 1000, 99990, 12040, &cuda) && load_gpus(&c, root, inv) &&
       load_nvlinks(&c, root, inv) && load_topology(&c, root, inv) && load_events(&c, root, inv) &&
       load_failures(&c, root, inv);
  json_free(root);
  if (!ok) {
    fake_inventory_free(inv);
    return -2;
  }
  inv->cuda_driver_version = (int)cuda;
  return 0;
}

void fake_inventory_free(struct fake_inventory *inv) {
  for (int i = 0; inv->gpus != NULL && i < inv->gpu_count; i++) {
    fake_process_list_free(&inv->gpus[i].processes);
  }
  for (int i = 0; inv->migs != NULL && i < inv->mig_count; i++) {
    fake_process_list_free(&inv->migs[i].processes);
  }
  free(inv->gpus);
  free(inv->migs);
  free(inv->topology);
  free(inv->events);
  free(inv->failures);
  memset(inv, 0, sizeof *inv);
}
