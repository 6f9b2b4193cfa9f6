/*
 * Fake-only exports for tests: the size and field offsets of every struct the fake shares with callers, as this
 * compiler laid them out. The static assertions pin them to nvml.h's layouts on LP64, so a mistake in nvml_subset.h
 * fails the build rather than a test.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <string.h>

#include "fake_nvml.h"

_Static_assert(sizeof(nvmlPciInfo_t) == 68, "nvmlPciInfo_t");
_Static_assert(sizeof(nvmlMemory_t) == 24, "nvmlMemory_t");
_Static_assert(sizeof(nvmlEventData_t) == 32, "nvmlEventData_t");
_Static_assert(sizeof(nvmlUtilization_t) == 8, "nvmlUtilization_t");
_Static_assert(sizeof(nvmlProcessInfo_t) == 24 && offsetof(nvmlProcessInfo_t, usedGpuMemory) == 8, "nvmlProcessInfo_t");
_Static_assert(sizeof(nvmlProcessInfo_v1_t) == 16 && offsetof(nvmlProcessInfo_v1_t, usedGpuMemory) == 8,
               "nvmlProcessInfo_v1_t");
_Static_assert(sizeof(nvmlProcessUtilizationSample_t) == 32 &&
                   offsetof(nvmlProcessUtilizationSample_t, timeStamp) == 8 &&
                   offsetof(nvmlProcessUtilizationSample_t, decUtil) == 28,
               "nvmlProcessUtilizationSample_t");
_Static_assert(sizeof(nvmlDeviceAttributes_t) == 40 && offsetof(nvmlDeviceAttributes_t, memorySizeMB) == 32,
               "nvmlDeviceAttributes_t");

#define FIELD(type, field) {#type, #field, (int)offsetof(type, field)}

static const struct {
  const char *type;
  const char *field;
  int offset;
} FIELDS[] = {
    FIELD(nvmlPciInfo_t, busIdLegacy), FIELD(nvmlPciInfo_t, domain), FIELD(nvmlPciInfo_t, bus),
    FIELD(nvmlPciInfo_t, device), FIELD(nvmlPciInfo_t, pciDeviceId), FIELD(nvmlPciInfo_t, pciSubSystemId),
    FIELD(nvmlPciInfo_t, busId), FIELD(nvmlMemory_t, total), FIELD(nvmlMemory_t, free), FIELD(nvmlMemory_t, used),
    FIELD(nvmlEventData_t, device), FIELD(nvmlEventData_t, eventType), FIELD(nvmlEventData_t, eventData),
    FIELD(nvmlEventData_t, gpuInstanceId), FIELD(nvmlEventData_t, computeInstanceId),
    FIELD(nvmlUtilization_t, gpu), FIELD(nvmlUtilization_t, memory), FIELD(nvmlProcessInfo_t, pid),
    FIELD(nvmlProcessInfo_t, usedGpuMemory), FIELD(nvmlProcessInfo_t, gpuInstanceId),
    FIELD(nvmlProcessInfo_t, computeInstanceId), FIELD(nvmlProcessInfo_v1_t, pid),
    FIELD(nvmlProcessInfo_v1_t, usedGpuMemory), FIELD(nvmlProcessUtilizationSample_t, pid),
    FIELD(nvmlProcessUtilizationSample_t, timeStamp), FIELD(nvmlProcessUtilizationSample_t, smUtil),
    FIELD(nvmlProcessUtilizationSample_t, memUtil), FIELD(nvmlProcessUtilizationSample_t, encUtil),
    FIELD(nvmlProcessUtilizationSample_t, decUtil), FIELD(nvmlDeviceAttributes_t, multiprocessorCount),
    FIELD(nvmlDeviceAttributes_t, sharedCopyEngineCount), FIELD(nvmlDeviceAttributes_t, sharedDecoderCount),
    FIELD(nvmlDeviceAttributes_t, sharedEncoderCount), FIELD(nvmlDeviceAttributes_t, sharedJpegCount),
    FIELD(nvmlDeviceAttributes_t, sharedOfaCount), FIELD(nvmlDeviceAttributes_t, gpuInstanceSliceCount),
    FIELD(nvmlDeviceAttributes_t, computeInstanceSliceCount), FIELD(nvmlDeviceAttributes_t, memorySizeMB),
};

static const struct {
  const char *type;
  int size;
} SIZES[] = {
    {"nvmlPciInfo_t", sizeof(nvmlPciInfo_t)},
    {"nvmlMemory_t", sizeof(nvmlMemory_t)},
    {"nvmlEventData_t", sizeof(nvmlEventData_t)},
    {"nvmlUtilization_t", sizeof(nvmlUtilization_t)},
    {"nvmlProcessInfo_t", sizeof(nvmlProcessInfo_t)},
    {"nvmlProcessInfo_v1_t", sizeof(nvmlProcessInfo_v1_t)},
    {"nvmlProcessUtilizationSample_t", sizeof(nvmlProcessUtilizationSample_t)},
    {"nvmlDeviceAttributes_t", sizeof(nvmlDeviceAttributes_t)},
};

NVML_API int kubeaccelFakeNvmlSizeof(const char *typeName) {
  for (size_t i = 0; typeName != NULL && i < sizeof SIZES / sizeof SIZES[0]; i++) {
    if (strcmp(typeName, SIZES[i].type) == 0) {
      return SIZES[i].size;
    }
  }
  return -1;
}

NVML_API int kubeaccelFakeNvmlOffsetof(const char *typeName, const char *fieldName) {
  for (size_t i = 0; typeName != NULL && fieldName != NULL && i < sizeof FIELDS / sizeof FIELDS[0]; i++) {
    if (strcmp(typeName, FIELDS[i].type) == 0 && strcmp(fieldName, FIELDS[i].field) == 0) {
      return FIELDS[i].offset;
    }
  }
  return -1;
}
