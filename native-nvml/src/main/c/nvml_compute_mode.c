/*
 * Compute mode. Like the real driver's, it is state of the GPU rather than of one process: nvmlDeviceSetComputeMode
 * appends "computemode <uuid> <MODE>" to the control file, so every process with this node's library loaded applies
 * it on its next call and a restarted agent (which replays the control file) still sees it; and the current modes are
 * rewritten to the "compute-mode" file beside the control file, one "<uuid> <MODE>" line per GPU, for whoever wants to
 * check them from outside (e.g. that an agent's shutdown restored DEFAULT): at the first init, by the process that
 * sets a mode, and by every process that applies a computemode line.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <unistd.h>

#include "fake_nvml.h"

static const char *const MODE_NAMES[NVML_COMPUTEMODE_COUNT] = {"DEFAULT", "EXCLUSIVE_THREAD", "PROHIBITED",
                                                               "EXCLUSIVE_PROCESS"};

const char *fake_compute_mode_name(nvmlComputeMode_t mode) {
  return (unsigned int)mode < NVML_COMPUTEMODE_COUNT ? MODE_NAMES[mode] : "UNKNOWN";
}

int fake_compute_mode_by_name(const char *name, nvmlComputeMode_t *mode) {
  const char *bare = strncasecmp(name, "NVML_COMPUTEMODE_", 17) == 0 ? name + 17 : name;
  for (int i = 0; i < NVML_COMPUTEMODE_COUNT; i++) {
    char number[2] = {(char)('0' + i), '\0'};
    if (strcasecmp(bare, MODE_NAMES[i]) == 0 || strcmp(bare, number) == 0) {
      *mode = (nvmlComputeMode_t)i;
      return 1;
    }
  }
  return 0;
}

/*
 * Under an flock of the control file, and after reading it to its end: every process that publishes then writes a
 * state that includes every change appended before, so the file never goes back to an older state.
 */
void fake_compute_mode_publish(void) {
  char temporary[PATH_MAX + 32];
  if (fake.compute_mode_path[0] == '\0' ||
      snprintf(temporary, sizeof temporary, "%s.%ld.tmp", fake.compute_mode_path, (long)getpid()) >=
          (int)sizeof temporary) {
    return;
  }
  int lock = open(fake.control_path, O_RDONLY | O_CLOEXEC);
  if (lock >= 0) {
    flock(lock, LOCK_EX);
  }
  fake_control_poll();
  fake.compute_mode_dirty = 0;
  FILE *out = fopen(temporary, "we");
  if (out != NULL) { /* else a read-only node directory: the modes still work, only nobody outside can read them */
    for (int i = 0; i < fake.inv.gpu_count; i++) {
      fprintf(out, "%s %s\n", fake.inv.gpus[i].uuid, fake_compute_mode_name(fake.inv.gpus[i].compute_mode));
    }
    if (fclose(out) != 0 || rename(temporary, fake.compute_mode_path) != 0) {
      unlink(temporary);
    }
  }
  if (lock >= 0) {
    flock(lock, LOCK_UN);
    close(lock);
  }
}

void fake_compute_mode_apply(int gpu, nvmlComputeMode_t mode) {
  if (fake.inv.gpus[gpu].compute_mode != mode) {
    fake.inv.gpus[gpu].compute_mode = mode;
    fake.compute_mode_dirty = !fake.control_replaying; /* a replay publishes once, when the init is done */
  }
}

NVML_API nvmlReturn_t nvmlDeviceGetComputeMode(nvmlDevice_t device, nvmlComputeMode_t *mode) {
  struct fake_gpu *gpu;
  pthread_mutex_lock(&fake.lock);
  nvmlReturn_t rc = fake_enter_device(FN_GET_COMPUTE_MODE, device, &gpu);
  if (rc == NVML_SUCCESS && mode == NULL) {
    rc = NVML_ERROR_INVALID_ARGUMENT;
  } else if (rc == NVML_SUCCESS) {
    *mode = gpu->compute_mode;
  }
  pthread_mutex_unlock(&fake.lock);
  return rc;
}

/* EXCLUSIVE_THREAD is refused as NOT_SUPPORTED: NVIDIA removed it (CUDA 8); values past the enum are invalid. */
NVML_API nvmlReturn_t nvmlDeviceSetComputeMode(nvmlDevice_t device, nvmlComputeMode_t mode) {
  struct fake_gpu *gpu;
  pthread_mutex_lock(&fake.lock);
  nvmlReturn_t rc = fake_enter_device(FN_SET_COMPUTE_MODE, device, &gpu);
  if (rc == NVML_SUCCESS && (unsigned int)mode >= NVML_COMPUTEMODE_COUNT) {
    rc = NVML_ERROR_INVALID_ARGUMENT;
  } else if (rc == NVML_SUCCESS && mode == NVML_COMPUTEMODE_EXCLUSIVE_THREAD) {
    rc = NVML_ERROR_NOT_SUPPORTED;
  } else if (rc == NVML_SUCCESS) {
    char line[NVML_DEVICE_UUID_V2_BUFFER_SIZE + 64];
    snprintf(line, sizeof line, "computemode %s %s", gpu->uuid, fake_compute_mode_name(mode));
    fake_control_append(line); /* other processes, and this node's next agent, see the GPU's new mode */
    fake_compute_mode_apply(gpu->index, mode);
    fake_compute_mode_publish();
  }
  pthread_mutex_unlock(&fake.lock);
  return rc;
}
