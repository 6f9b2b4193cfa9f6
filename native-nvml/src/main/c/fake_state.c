/* The run-time state and the checks every entry point shares: initialised?, valid handle?, lost?, failing? */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fake_nvml.h"

struct fake_state fake = {.lock = PTHREAD_MUTEX_INITIALIZER};

int fake_gpu_by_uuid(const char *uuid) {
  for (int i = 0; i < fake.inv.gpu_count; i++) {
    if (strcasecmp(fake.inv.gpus[i].uuid, uuid) == 0) {
      return i;
    }
  }
  return -1;
}

int fake_mig_by_uuid(const char *uuid) {
  for (int i = 0; i < fake.inv.mig_count; i++) {
    if (strcasecmp(fake.inv.migs[i].uuid, uuid) == 0) {
      return i;
    }
  }
  return -1;
}

int fake_add_failure(enum fake_function function, int gpu, nvmlReturn_t code, unsigned long after_calls) {
  if (fake.failure_count == fake.failure_capacity) {
    size_t capacity = fake.failure_capacity == 0 ? 8 : fake.failure_capacity * 2;
    struct fake_failure *grown = realloc(fake.failures, capacity * sizeof *grown);
    if (grown == NULL) {
      return 0;
    }
    fake.failures = grown;
    fake.failure_capacity = capacity;
  }
  fake.failures[fake.failure_count++] = (struct fake_failure){function, gpu, code, after_calls, 0};
  return 1;
}

void fake_clear_failures(int function) {
  size_t kept = 0;
  for (size_t i = 0; i < fake.failure_count; i++) {
    if (function >= 0 && fake.failures[i].function != (enum fake_function)function) {
      fake.failures[kept++] = fake.failures[i];
    }
  }
  fake.failure_count = kept;
}

nvmlReturn_t fake_failure_for(enum fake_function function, int gpu, int count_call) {
  for (size_t i = 0; i < fake.failure_count; i++) {
    struct fake_failure *f = &fake.failures[i];
    if (f->function != function || (f->gpu >= 0 && f->gpu != gpu)) {
      continue;
    }
    if (f->calls >= f->after_calls) {
      return f->code;
    }
    if (count_call) {
      f->calls++;
    }
  }
  return NVML_SUCCESS;
}

long long fake_elapsed_ms(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (long long)(now.tv_sec - fake.init_time.tv_sec) * 1000 + (now.tv_nsec - fake.init_time.tv_nsec) / 1000000;
}

nvmlReturn_t fake_enter(void) {
  if (fake.init_count == 0) {
    return NVML_ERROR_UNINITIALIZED;
  }
  fake_control_poll();
  fake_events_pump();
  if (fake.compute_mode_dirty) {
    fake_compute_mode_publish(); /* a computemode line changed a mode */
  }
  return NVML_SUCCESS;
}

/* A handle is the address of its element in an inventory array; anything else is rejected without dereferencing it. */
static const void *element_of(nvmlDevice_t device, const void *array, int count, size_t size) {
  uintptr_t p = (uintptr_t)device, base = (uintptr_t)array;
  if (device == NULL || array == NULL || count == 0 || p < base || p >= base + (uintptr_t)count * size ||
      (p - base) % size) {
    return NULL;
  }
  return (const void *)device;
}

struct fake_gpu *fake_gpu_of(nvmlDevice_t device) {
  return (struct fake_gpu *)element_of(device, fake.inv.gpus, fake.inv.gpu_count, sizeof(struct fake_gpu));
}

struct fake_mig *fake_mig_of(nvmlDevice_t device) {
  return (struct fake_mig *)element_of(device, fake.inv.migs, fake.inv.mig_count, sizeof(struct fake_mig));
}

nvmlReturn_t fake_enter_handle(enum fake_function function, nvmlDevice_t device, struct fake_gpu **gpu,
                               struct fake_mig **mig) {
  nvmlReturn_t rc = fake_enter();
  if (rc != NVML_SUCCESS) {
    return rc;
  }
  *mig = fake_mig_of(device);
  *gpu = *mig != NULL ? &fake.inv.gpus[(*mig)->gpu] : fake_gpu_of(device);
  if (*gpu == NULL) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  if (fake.lost[(*gpu)->index]) {
    return NVML_ERROR_GPU_IS_LOST;
  }
  return fake_failure_for(function, (*gpu)->index, 1);
}

nvmlReturn_t fake_enter_device(enum fake_function function, nvmlDevice_t device, struct fake_gpu **gpu) {
  struct fake_mig *mig;
  nvmlReturn_t rc = fake_enter_handle(function, device, gpu, &mig);
  return rc == NVML_SUCCESS && mig != NULL ? NVML_ERROR_NOT_SUPPORTED : rc;
}

nvmlReturn_t fake_copy_string(const char *value, char *out, unsigned int length) {
  if (out == NULL) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  if (strlen(value) + 1 > length) {
    return NVML_ERROR_INSUFFICIENT_SIZE;
  }
  memcpy(out, value, strlen(value) + 1);
  return NVML_SUCCESS;
}
