/*
 * The inventory's per-GPU run-time values (compute mode, utilisation, temperature, power, processes) and MIG devices.
 * Defaults a MIG device derives from its profile are documented in native-nvml/README.md.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "inventory_fields.h"

#define MAX_MEMORY_MIB (1LL << 40)
#define MAX_POWER_W 100000.0
#define DEFAULT_TEMPERATURE_C 32
#define DEFAULT_POWER_MW 55000u

/* A profile name: [<c>c.]<g>g.<gb>gb, optionally followed by +attributes or -attributes (e.g. "1g.10gb+me"). */
struct profile {
  int compute_slices; /* c, or g when the name has no "<c>c." */
  int gpu_slices;
  int memory_gb;
  int media_extensions; /* "+me" */
};

static int number_at(const char **p, int max, int *out) {
  if (!isdigit((unsigned char)**p)) {
    return 0;
  }
  char *end;
  unsigned long value = strtoul(*p, &end, 10);
  if (value < 1 || value > (unsigned long)max) {
    return 0;
  }
  *out = (int)value;
  *p = end;
  return 1;
}

static int parse_profile(const char *text, struct profile *profile) {
  const char *p = text;
  int first;
  if (!number_at(&p, 100000, &first)) {
    return 0;
  }
  if (p[0] == 'c' && p[1] == '.') {
    p += 2;
    profile->compute_slices = first;
    if (!number_at(&p, 8, &profile->gpu_slices)) {
      return 0;
    }
  } else {
    profile->gpu_slices = profile->compute_slices = first;
  }
  if (p[0] != 'g' || p[1] != '.') {
    return 0;
  }
  p += 2;
  if (!number_at(&p, 100000, &profile->memory_gb) || strncmp(p, "gb", 2) != 0) {
    return 0;
  }
  p += 2;
  profile->media_extensions = strcmp(p, "+me") == 0 || strncmp(p, "+me,", 4) == 0;
  if (*p != '\0' && ((*p != '+' && *p != '-') || strspn(p + 1, "abcdefghijklmnopqrstuvwxyz0123456789.,") !=
                                                       strlen(p + 1) || p[1] == '\0')) {
    return 0;
  }
  return profile->gpu_slices <= 8 && profile->compute_slices <= profile->gpu_slices;
}

/*
 * The MiB a MIG device of this profile reports on this GPU: the GPU's memory in eighths (NVIDIA's memory slices), as
 * many eighths as the profile's GB name, less 5% that the driver keeps. On an A100-SXM4-40GB "1g.5gb" gives 4864, what
 * the real one reports; the profile name derived back from it is the one given.
 */
static long long default_memory_mib(const struct profile *profile, unsigned long long gpu_memory_mib) {
  long long gpu_gb = (long long)((gpu_memory_mib + 1023) / 1024);
  long long eighths = gpu_gb == 0 ? 1 : ((long long)profile->memory_gb * 16 + gpu_gb) / (2 * gpu_gb); /* rounded */
  eighths = eighths < 1 ? 1 : eighths > 8 ? 8 : eighths;
  return (long long)(gpu_memory_mib * (unsigned long long)eighths / 8 * 95 / 100);
}

/* SMs per compute slice: A100 14 (98 in 7 slices); H100 a table, as its 7 slices have 132. */
static int default_multiprocessors(int compute_slices, int cc_major) {
  static const int hopper[9] = {0, 16, 32, 60, 64, 78, 96, 132, 132};
  return cc_major >= 9 ? hopper[compute_slices] : 14 * compute_slices;
}

/* NVDECs an A100 gives a GPU instance of this many slices (nvidia-smi's DEC column). */
static int default_decoders(int gpu_slices) {
  static const int a100[9] = {0, 0, 1, 2, 2, 2, 4, 5, 5};
  return a100[gpu_slices];
}

static int load_process(struct ctx *c, const struct json_value *v, const char *where,
                        struct fake_process_list *list) {
  static const char *const allowed[] = {"pid", "usedMiB", "smUtil", "memUtil", "encUtil", "decUtil", NULL};
  long long pid, used, sm, mem, enc, dec;
  if (v->type != JSON_OBJECT) {
    return bad(c, v, "%s: expected an object, found %s", where, json_type_name(v->type));
  }
  if (!check_members(c, v, where, allowed) || !opt_int(c, v, "pid", where, 1, 0xFFFFFFFFLL, 0, &pid) ||
      !opt_int(c, v, "usedMiB", where, 0, MAX_MEMORY_MIB, 0, &used) ||
      !opt_int(c, v, "smUtil", where, 0, 100, 0, &sm) || !opt_int(c, v, "memUtil", where, 0, 100, 0, &mem) ||
      !opt_int(c, v, "encUtil", where, 0, 100, 0, &enc) || !opt_int(c, v, "decUtil", where, 0, 100, 0, &dec)) {
    return 0;
  }
  if (pid == 0) {
    return bad(c, v, "%s: \"pid\" is required", where);
  }
  for (int i = 0; i < list->count; i++) {
    if (list->items[i].pid == (unsigned int)pid) {
      return bad(c, v, "%s.pid: %lld is listed twice on this device", where, pid);
    }
  }
  struct fake_process process = {(unsigned int)pid,  (unsigned long long)used, (unsigned int)sm,
                                 (unsigned int)mem,  (unsigned int)enc,        (unsigned int)dec};
  return fake_process_put(list, process) ? 1 : bad(c, v, "%s: too many processes or out of memory", where);
}

static int load_processes(struct ctx *c, const struct json_value *object, const char *where,
                          struct fake_process_list *list) {
  const struct json_value *v = member(object, "processes");
  if (v == NULL) {
    return 1;
  }
  if (v->type != JSON_ARRAY || v->count > FAKE_MAX_PROCESSES) {
    return bad(c, v, "%s.processes: expected an array of at most %d objects", where, FAKE_MAX_PROCESSES);
  }
  for (size_t i = 0; i < v->count; i++) {
    char item[64];
    snprintf(item, sizeof item, "%s.processes[%zu]", where, i);
    if (!load_process(c, v->items[i], item, list)) {
      return 0;
    }
  }
  return 1;
}

static int load_compute_mode(struct ctx *c, const struct json_value *object, const char *where,
                             struct fake_gpu *gpu) {
  const struct json_value *v = member(object, "computeMode");
  gpu->compute_mode = NVML_COMPUTEMODE_DEFAULT;
  if (v == NULL) {
    return 1;
  }
  if (v->type != JSON_STRING || !fake_compute_mode_by_name(v->string, &gpu->compute_mode) ||
      gpu->compute_mode == NVML_COMPUTEMODE_EXCLUSIVE_THREAD) {
    return bad(c, v, "%s.computeMode: expected \"DEFAULT\", \"PROHIBITED\" or \"EXCLUSIVE_PROCESS\"", where);
  }
  return 1;
}

static int load_power(struct ctx *c, const struct json_value *object, const char *where, struct fake_gpu *gpu) {
  const struct json_value *v = member(object, "powerW");
  gpu->power_mw = DEFAULT_POWER_MW;
  if (v == NULL) {
    return 1;
  }
  if (v->type != JSON_NUMBER || v->number < 0 || v->number > MAX_POWER_W) {
    return bad(c, v, "%s.powerW: expected a number of watts from 0 to %.0f", where, MAX_POWER_W);
  }
  gpu->power_mw = (unsigned int)(v->number * 1000.0 + 0.5);
  return 1;
}

int load_gpu_runtime(struct ctx *c, const struct json_value *v, const char *where, struct fake_gpu *gpu) {
  static const char *const utilization_members[] = {"gpu", "memory", NULL};
  long long temperature, util_gpu = 0, util_memory = 0;
  char util_where[48];
  const struct json_value *util = member(v, "utilization");
  snprintf(util_where, sizeof util_where, "%s.utilization", where);
  if (util != NULL && util->type != JSON_OBJECT) {
    return bad(c, util, "%s: expected an object like {\"gpu\": 35, \"memory\": 20}", util_where);
  }
  if ((util != NULL && (!check_members(c, util, util_where, utilization_members) ||
                        !opt_int(c, util, "gpu", util_where, 0, 100, 0, &util_gpu) ||
                        !opt_int(c, util, "memory", util_where, 0, 100, 0, &util_memory))) ||
      !opt_int(c, v, "temperatureC", where, 0, 200, DEFAULT_TEMPERATURE_C, &temperature) ||
      !load_compute_mode(c, v, where, gpu) || !load_power(c, v, where, gpu) ||
      !load_processes(c, v, where, &gpu->processes)) {
    return 0;
  }
  if (gpu->mig == NVML_DEVICE_MIG_ENABLE && gpu->processes.count > 0) {
    return bad(c, member(v, "processes"), "%s.processes: a GPU in MIG mode runs processes on its MIG devices; list "
               "them under migDevices[k].processes", where);
  }
  gpu->util_gpu = (unsigned int)util_gpu;
  gpu->util_memory = (unsigned int)util_memory;
  gpu->temperature_c = (unsigned int)temperature;
  return 1;
}

static int gpu_instance_id_used(unsigned int id, const struct fake_mig *earlier, int count) {
  for (int i = 0; i < count; i++) {
    if (earlier[i].gpu_instance_id == id) {
      return 1;
    }
  }
  return 0;
}

/* The first GPU instance id an A100 hands out for this many slices that no earlier MIG device uses, else slot+1.. */
static unsigned int default_gpu_instance_id(int gpu_slices, int slot, const struct fake_mig *earlier, int count) {
  static const int a100[9][9] = {{-1}, {7, 8, 9, 10, 11, 12, 13, 14, -1}, {3, 4, 5, -1}, {1, 2, -1}, {1, -1}, {-1},
                                 {-1}, {0, -1}, {-1}};
  for (int k = 0; k < 9 && a100[gpu_slices][k] >= 0; k++) {
    if (!gpu_instance_id_used((unsigned int)a100[gpu_slices][k], earlier, count)) {
      return (unsigned int)a100[gpu_slices][k];
    }
  }
  unsigned int id = (unsigned int)slot + 1;
  while (gpu_instance_id_used(id, earlier, count)) {
    id++;
  }
  return id;
}

static int load_mig(struct ctx *c, const struct json_value *v, const char *where, const struct fake_gpu *gpu,
                    const struct fake_mig *earlier, struct fake_mig *mig) {
  static const char *const allowed[] = {"uuid", "profile", "gpuInstanceId", "computeInstanceId", "memoryMiB",
                                        "usedMiB", "multiprocessorCount", "gpuInstanceSliceCount",
                                        "computeInstanceSliceCount", "sharedCopyEngineCount", "sharedDecoderCount",
                                        "sharedEncoderCount", "sharedJpegCount", "sharedOfaCount", "processes",
                                        NULL};
  char uuid[64];
  struct profile p;
  long long gi, ci, memory, used, sms, gi_slices, ci_slices, ce, dec, enc, jpeg, ofa;
  if (v->type != JSON_OBJECT) {
    return bad(c, v, "%s: expected an object, found %s", where, json_type_name(v->type));
  }
  snprintf(uuid, sizeof uuid, "MIG-00000000-0000-0000-%04x-%012x", (unsigned int)gpu->index, (unsigned int)mig->slot);
  if (!check_members(c, v, where, allowed) ||
      !opt_string(c, v, "profile", where, mig->profile, sizeof mig->profile, "", 0)) {
    return 0;
  }
  if (member(v, "profile") == NULL) {
    return bad(c, v, "%s: \"profile\" is required, e.g. \"1g.5gb\"", where);
  }
  if (!parse_profile(mig->profile, &p)) {
    return bad(c, member(v, "profile"), "%s.profile: expected [<c>c.]<g>g.<gb>gb like \"1g.5gb\" or "
               "\"1c.3g.20gb\" (at most 8 slices), found \"%s\"", where, mig->profile);
  }
  int me = p.media_extensions;
  if (!opt_string(c, v, "uuid", where, mig->uuid, 81, uuid, 0) ||
      !opt_int(c, v, "gpuInstanceId", where, 0, 1023,
               default_gpu_instance_id(p.gpu_slices, mig->slot, earlier, mig->slot), &gi) ||
      !opt_int(c, v, "computeInstanceId", where, 0, 1023, 0, &ci) ||
      !opt_int(c, v, "memoryMiB", where, 1, (long long)gpu->memory_mib, default_memory_mib(&p, gpu->memory_mib),
               &memory) ||
      !opt_int(c, v, "usedMiB", where, 0, memory, 0, &used) ||
      !opt_int(c, v, "gpuInstanceSliceCount", where, 1, 8, p.gpu_slices, &gi_slices) ||
      !opt_int(c, v, "computeInstanceSliceCount", where, 1, gi_slices, p.compute_slices, &ci_slices) ||
      !opt_int(c, v, "multiprocessorCount", where, 1, 1024,
               default_multiprocessors((int)ci_slices, gpu->cc_major), &sms) ||
      !opt_int(c, v, "sharedCopyEngineCount", where, 0, 64, gi_slices, &ce) ||
      !opt_int(c, v, "sharedDecoderCount", where, 0, 64,
               me && default_decoders((int)gi_slices) == 0 ? 1 : default_decoders((int)gi_slices), &dec) ||
      !opt_int(c, v, "sharedEncoderCount", where, 0, 64, 0, &enc) ||
      !opt_int(c, v, "sharedJpegCount", where, 0, 64, me || gi_slices == 7, &jpeg) ||
      !opt_int(c, v, "sharedOfaCount", where, 0, 64, me || gi_slices == 7, &ofa)) {
    return 0;
  }
  if (strncmp(mig->uuid, "MIG-", 4) != 0) {
    return bad(c, member(v, "uuid"), "%s.uuid: a MIG device's uuid starts with \"MIG-\", found \"%s\"", where,
               mig->uuid);
  }
  if (snprintf(mig->name, sizeof mig->name, "%s MIG %s", gpu->name, mig->profile) >= (int)sizeof mig->name) {
    return bad(c, v, "%s: the name \"<GPU name> MIG <profile>\" is longer than %zu characters", where,
               sizeof mig->name - 1);
  }
  mig->gpu_instance_id = (unsigned int)gi;
  mig->compute_instance_id = (unsigned int)ci;
  mig->used_mib = (unsigned long long)used;
  mig->attributes = (nvmlDeviceAttributes_t){
      .multiprocessorCount = (unsigned int)sms,
      .sharedCopyEngineCount = (unsigned int)ce,
      .sharedDecoderCount = (unsigned int)dec,
      .sharedEncoderCount = (unsigned int)enc,
      .sharedJpegCount = (unsigned int)jpeg,
      .sharedOfaCount = (unsigned int)ofa,
      .gpuInstanceSliceCount = (unsigned int)gi_slices,
      .computeInstanceSliceCount = (unsigned int)ci_slices,
      .memorySizeMB = (unsigned long long)memory,
  };
  return load_processes(c, v, where, &mig->processes);
}

int load_migs(struct ctx *c, const struct json_value *v, const char *where, struct fake_inventory *inv,
              struct fake_gpu *gpu) {
  const struct json_value *migs = member(v, "migDevices");
  gpu->mig_first = inv->mig_count;
  gpu->mig_count = 0;
  if (migs == NULL) {
    return 1;
  }
  if (migs->type != JSON_ARRAY || migs->count > FAKE_MAX_MIG_DEVICES) {
    return bad(c, migs, "%s.migDevices: expected an array of at most %d objects", where, FAKE_MAX_MIG_DEVICES);
  }
  if (migs->count > 0 && gpu->mig != NVML_DEVICE_MIG_ENABLE) {
    return bad(c, migs, "%s.migDevices: only a GPU with \"migMode\": true has MIG devices", where);
  }
  for (size_t i = 0; i < migs->count; i++) {
    char item[48];
    struct fake_mig *mig = &inv->migs[inv->mig_count];
    snprintf(item, sizeof item, "%s.migDevices[%zu]", where, i);
    mig->gpu = gpu->index;
    mig->slot = (int)i;
    inv->mig_count++; /* counted before loading so that a half-loaded device's processes are freed too */
    if (!load_mig(c, migs->items[i], item, gpu, &inv->migs[gpu->mig_first], mig)) {
      return 0;
    }
    for (int j = gpu->mig_first; j < inv->mig_count - 1; j++) {
      if (inv->migs[j].gpu_instance_id == mig->gpu_instance_id &&
          inv->migs[j].compute_instance_id == mig->compute_instance_id) {
        return bad(c, migs->items[i], "%s: gpuInstanceId %u and computeInstanceId %u are already migDevices[%d]'s",
                   item, mig->gpu_instance_id, mig->compute_instance_id, j - gpu->mig_first);
      }
    }
    gpu->mig_count++;
  }
  return 1;
}

int count_migs(const struct json_value *gpus) {
  int total = 0;
  for (size_t i = 0; i < gpus->count; i++) {
    const struct json_value *migs = gpus->items[i]->type == JSON_OBJECT ? member(gpus->items[i], "migDevices") : NULL;
    if (migs != NULL && migs->type == JSON_ARRAY && migs->count <= FAKE_MAX_MIG_DEVICES) {
      total += (int)migs->count;
    }
  }
  return total;
}
